/**
 * Token bucket per API key, in process: `burst` tokens, refilled continuously at
 * `perMinute` per minute. The clock is passed in so tests move time instead of sleeping.
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
  headers(d: RateDecision): Record<string, string>;
}

/** Buckets kept before the full ones (clients quiet long enough) are dropped: per-IP keys are unbounded. */
const MAX_BUCKETS = 50_000;

export function createRateLimiter(opts: { enabled: boolean; burst: number; perMinute: number; now: () => number }): RateLimiter {
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const window = Math.ceil(opts.burst / opts.perMinute * 60);
  const prune = (now: number) => {
    for (const [k, b] of buckets) if (b.tokens + (now - b.at) * perMs >= opts.burst) buckets.delete(k);
  };
  return {
    take(key) {
      if (!opts.enabled) return { allowed: true, limit: opts.burst, remaining: opts.burst, resetSeconds: 0, retryAfterSeconds: 0 };
      const now = opts.now();
      if (buckets.size >= MAX_BUCKETS && !buckets.has(key)) prune(now);
      const b = buckets.get(key) ?? { tokens: opts.burst, at: now };
      b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * perMs);
      b.at = now;
      buckets.set(key, b);
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      return {
        allowed,
        limit: opts.burst,
        remaining: Math.floor(b.tokens),
        resetSeconds: Math.ceil((opts.burst - b.tokens) / perMs / 1000),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
      };
    },
    // IETF draft-ietf-httpapi-ratelimit-headers: the policy (quota per window) and the current state.
    headers: (d) => ({
      "ratelimit-policy": `${opts.burst};w=${window}`,
      "ratelimit-limit": String(d.limit),
      "ratelimit-remaining": String(d.remaining),
      "ratelimit-reset": String(d.resetSeconds),
    }),
  };
}
