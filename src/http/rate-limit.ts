import { nodeNet } from "../node-builtins";
import type { Worker } from "../jobs/worker";

/**
 * Token bucket per API key: `burst` tokens, refilled continuously at `perMinute` per minute.
 * The clock is passed in so tests move time instead of sleeping. With `shared` (several nodes on
 * one PostgreSQL) each node decides from its own copy of the buckets and reconciles them with
 * the shared ones every `shared.everyMs`: no database write per request, and a key gets at most
 * what one interval's requests on the other nodes add beyond its limit.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one token is available (only when refused). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string): RateDecision;
  /** The RateLimit headers of a decision, set on a response's headers. */
  setHeaders(d: RateDecision, headers: Headers): void;
  /** With `shared`: the reconciliation with the shared buckets, run with the other background workers. */
  sync?: Worker;
}

/**
 * Buckets shared by the nodes: `reconcile` adds what this node took from each key since the last
 * call and answers the shared token count of every key changed since (by any node) as of `now`
 * (store/rate-buckets.ts).
 */
export interface SharedBuckets {
  everyMs: number;
  reconcile(taken: Map<string, number>, now: number): Promise<Map<string, number>>;
  onError(e: unknown): void;
}

/** A worker that runs `tick` every `ms`, one run at a time, until stopped (after the run in progress). */
function everyInterval(name: string, ms: number, tick: () => Promise<void>): Worker {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    timer = setTimeout(() => {
      running = tick().finally(() => { if (timer) loop(); });
    }, ms);
  };
  return {
    name,
    start: loop,
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * The network an anonymous client's allowance is counted by: its IPv4 address, or its IPv6 /64.
 * A host is given a whole /64 (SLAAC, privacy addresses) and can answer from any address in it,
 * so counting by address would give it 2^64 allowances. Anything else (a proxy's odd header
 * value) counts as itself.
 */
export function clientNetwork(ip: string): string {
  if (!ip.includes(":")) return ip;
  const address = ip.split("%")[0]!.toLowerCase();
  if (!nodeNet().isIPv6(address)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = address.split("::");
  const groups = head ? head.split(":") : [];
  if (tail !== undefined) {
    // "::" stands for the zero groups the others leave of eight; an embedded IPv4 is two groups.
    const rest = tail ? tail.split(":") : [];
    const width = groups.length + rest.length + (rest.at(-1)?.includes(".") ? 1 : 0);
    groups.push(...Array<string>(8 - width).fill("0"), ...rest);
  }
  return groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":") + "::/64";
}

/** Buckets kept before the full ones (clients quiet long enough) are dropped: per-IP keys are unbounded. */
const MAX_BUCKETS = 50_000;

export function createRateLimiter(opts: { enabled: boolean; burst: number; perMinute: number; now: () => number; shared?: SharedBuckets }): RateLimiter {
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Tokens taken per key since the last reconciliation. */
  let taken = new Map<string, number>();
  const policy = `${opts.burst};w=${Math.ceil(opts.burst / opts.perMinute * 60)}`;
  const prune = (now: number) => {
    for (const [k, b] of buckets) if (b.tokens + (now - b.at) * perMs >= opts.burst) buckets.delete(k);
  };
  const reconcile = async (shared: SharedBuckets) => {
    const sent = taken;
    taken = new Map();
    try {
      const now = opts.now();
      for (const [key, tokens] of await shared.reconcile(sent, now)) {
        // The shared count after this node's and the others' takes, less what this node took meanwhile.
        buckets.set(key, { tokens: tokens - (taken.get(key) ?? 0), at: now });
      }
    } catch (e) {
      for (const [key, n] of sent) taken.set(key, (taken.get(key) ?? 0) + n);
      shared.onError(e);
    }
  };
  return {
    sync: opts.shared && opts.enabled ? everyInterval("rate-limit-sync", opts.shared.everyMs, () => reconcile(opts.shared!)) : undefined,
    take(key) {
      if (!opts.enabled) return { allowed: true, limit: opts.burst, remaining: opts.burst, resetSeconds: 0, retryAfterSeconds: 0 };
      const now = opts.now();
      if (buckets.size >= MAX_BUCKETS && !buckets.has(key)) prune(now);
      const b = buckets.get(key) ?? { tokens: opts.burst, at: now };
      b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * perMs);
      b.at = now;
      buckets.set(key, b);
      const allowed = b.tokens >= 1;
      if (allowed) {
        b.tokens -= 1;
        if (opts.shared) taken.set(key, (taken.get(key) ?? 0) + 1);
      }
      return {
        allowed,
        limit: opts.burst,
        remaining: Math.floor(b.tokens),
        resetSeconds: Math.ceil((opts.burst - b.tokens) / perMs / 1000),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
      };
    },
    // IETF draft-ietf-httpapi-ratelimit-headers: the policy (quota per window) and the current state.
    setHeaders(d, headers) {
      headers.set("ratelimit-policy", policy);
      headers.set("ratelimit-limit", String(d.limit));
      headers.set("ratelimit-remaining", String(d.remaining));
      headers.set("ratelimit-reset", String(d.resetSeconds));
    },
  };
}
