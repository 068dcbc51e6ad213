import { and, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Worker } from "../../app";
import { systemClock, type Clock } from "../../clock";
import type { Deps } from "../../deps";
import { retryDelayMs } from "../../jobs/schedule";
import type { Db, Tx } from "../../store/db";
import { webhookAttempts, webhookDeliveries, webhookEvents, webhooks } from "../../store/schema";
import { openSecret } from "../../store/secret-box";
import { VERSION } from "../../version";
import { networkPolicy, resolveTarget, systemResolver, TargetRefusedError, type Resolver } from "./network";
import { disableWebhook } from "./service";
import { secretKey, signatureHeaders } from "./signature";

/**
 * Share of a retry delay added at random (the delays are those of jobs/schedule.ts). Not the job
 * outbox's 10 %: docs/webhooks.md tells receivers "up to 20 % random jitter", so this one is
 * published behaviour, while the outbox's is internal.
 */
export const WEBHOOK_JITTER = 0.2;
/**
 * A claimed delivery stays pending with its next attempt pushed past the request timeout plus
 * this margin: if the process dies mid-send, the delivery becomes due again after the lease.
 */
export const LEASE_MARGIN_MS = 60_000;
/** On stop, requests in flight get this long to finish before they are aborted (and re-queued). */
export const STOP_GRACE_MS = 2_000;
/** Bytes of a response read (to reuse the connection, and to quote in the error of a non-2xx). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const ERROR_BODY_CHARS = 200;

export interface DispatcherOptions {
  /** Host name resolution at delivery time (default: the system resolver, node:dns lookup). */
  resolver?: Resolver;
  /**
   * Clock of the webhook-timestamp header. Receivers check it against their own clock (replay
   * protection), so it is the wall clock even when tests drive scheduling with a fake deps.clock.
   */
  wallClock?: Clock;
  /** How often the timer looks for due deliveries (default: config.jobs.pollMs). */
  pollMs?: number;
  /** Random number in [0, 1) for jitter (tests pass () => 0). */
  random?: () => number;
  /** PEM CA certificates trusted for https deliveries instead of the system store (tests, a private CA). */
  tlsCa?: string;
}

export interface DrainResult {
  attempts: number;
  succeeded: number;
  failed: number;
}

export interface WebhookDispatcher extends Worker {
  /**
   * Sends every delivery due by deps.clock and waits until none is due or in flight (a retry
   * scheduled in the future is left for later). Tests move the clock, then drain.
   */
  drain(): Promise<DrainResult>;
  /** Starts due deliveries up to the concurrency limits; returns how many it started. */
  pump(): number;
  /** Deliveries being sent right now. */
  readonly inFlight: number;
}

interface Claimed {
  id: string;
  webhookId: string;
  eventId: string;
  attempt: number;
  at: Date;
  url: string;
  secret: string;
  payload: string;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** Aborted because the server is stopping: not an attempt against the endpoint. */
  interrupted?: boolean;
}

/**
 * The delivery worker: an in-process timer drains the outbox of pending deliveries. At most
 * `webhooks.concurrency` requests at once overall and one per endpoint, so a slow endpoint holds
 * one slot, not the others. Every attempt is recorded; failures are retried with the back-off of
 * jobs/schedule.ts.
 */
export function createWebhookDispatcher(deps: Deps, opts: DispatcherOptions = {}): WebhookDispatcher {
  const { db, clock, log } = deps;
  const cfg = deps.config.webhooks;
  const policy = networkPolicy(cfg.allowedNetworks);
  const resolver = opts.resolver ?? systemResolver;
  const wallClock = opts.wallClock ?? systemClock;
  const random = opts.random ?? Math.random;
  const pollMs = opts.pollMs ?? deps.config.jobs.pollMs;
  const disableAfterMs = cfg.disableAfterHours * 3_600_000;
  const keys = new Map<string, Uint8Array>();
  /** webhookId → the send in flight for that endpoint. */
  const inflight = new Map<string, Promise<void>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopping = false;
  let shutdown = new AbortController();
  const stats: DrainResult = { attempts: 0, succeeded: 0, failed: 0 };

  const q = outboxQueries(db);

  /** The next due delivery of each endpoint with nothing in flight, oldest due first. */
  function dueCandidates(now: Date, free: number, busy: Set<string>) {
    // One row per endpoint at most; endpoints already busy are skipped here rather than in SQL
    // so that the statement stays prepared. `complete`: every endpoint with a due delivery is in rows.
    const limit = free + busy.size;
    const rows = q.due.all({ now: now.getTime(), limit });
    return { candidates: rows.filter((r) => !busy.has(r.webhookId)).slice(0, free), complete: rows.length < limit };
  }

  /** Takes the lease: attempt count +1 and next attempt pushed past the timeout, if still due. */
  function claim(id: string, now: Date): number | null {
    const lease = new Date(now.getTime() + cfg.timeoutMs + LEASE_MARGIN_MS);
    const row = q.claim.get({ id, now, nowMs: now.getTime(), lease });
    return row ? row.attempts : null;
  }

  /** The HMAC key of an endpoint, from its stored (encrypted) secret; decrypted once. */
  function keyOf(stored: string): Uint8Array {
    let key = keys.get(stored);
    if (!key) keys.set(stored, (key = secretKey(openSecret(deps.secret, stored))));
    return key;
  }

  async function send(c: Claimed): Promise<Outcome> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): Outcome => ({ statusCode, error, durationMs: Math.round(performance.now() - started) });
    try {
      const url = new URL(c.url);
      const signal = AbortSignal.any([AbortSignal.timeout(cfg.timeoutMs), shutdown.signal]);
      const target = await resolveTarget(url, policy, resolver);
      const timestamp = Math.floor(wallClock.now().getTime() / 1000);
      const res = await fetch(target.url, {
        method: "POST",
        headers: {
          host: target.host,
          "content-type": "application/json",
          "user-agent": `Certyneo-Webhooks/${VERSION}`,
          ...signatureHeaders(keyOf(c.secret), c.eventId, timestamp, c.payload),
        },
        body: c.payload,
        redirect: "manual",
        signal,
        // https to the checked address: the certificate must still match the URL's host name.
        ...(target.serverName || opts.tlsCa ? { tls: { ...(target.serverName ? { serverName: target.serverName } : {}), ...(opts.tlsCa ? { ca: opts.tlsCa } : {}) } } : {}),
      });
      const body = await readSome(res);
      if (res.status >= 200 && res.status < 300) return done(res.status, null);
      if (res.status >= 300 && res.status < 400)
        return done(res.status, `HTTP ${res.status} redirect${res.headers.get("location") ? ` to ${res.headers.get("location")}` : ""} (redirects are not followed)`);
      const text = body.trim().replace(/\s+/g, " ").slice(0, ERROR_BODY_CHARS);
      return done(res.status, `HTTP ${res.status}${text ? `: ${text}` : ""}`);
    } catch (e) {
      if (shutdown.signal.aborted) return { ...done(null, "interrupted: server stopping"), interrupted: true };
      return done(null, describeError(e, cfg.timeoutMs));
    }
  }

  /** Records the attempt and the delivery's next state (retry, success, failure, endpoint disabled), in the caller's transaction. */
  function record(tx: Tx, c: Claimed, o: Outcome) {
    const now = clock.now();
    q.insertAttempt.run({ deliveryId: c.id, attempt: c.attempt, at: c.at, statusCode: o.statusCode, durationMs: o.durationMs, error: o.error });
    const last = { id: c.id, statusCode: o.statusCode, error: o.error, durationMs: o.durationMs, now };
    if (o.error === null) {
      q.succeeded.run(last);
      q.clearFailing.run({ id: c.webhookId });
      stats.succeeded++;
      return;
    }
    const hook = q.hookState.get({ id: c.webhookId });
    const live = !!hook && hook.enabled && !hook.deletedAt;
    const failingSince = hook?.failingSince ?? c.at;
    if (hook && !hook.failingSince) q.setFailingSince.run({ id: c.webhookId, since: failingSince.getTime() });
    const disable = live && now.getTime() - failingSince.getTime() >= disableAfterMs;
    const delay = retryDelayMs(c.attempt, { jitter: WEBHOOK_JITTER, random });
    if (live && !disable && delay !== null) {
      const next = new Date(now.getTime() + delay);
      q.retry.run({ ...last, next });
      log.warn("webhook delivery failed, will retry", { deliveryId: c.id, webhookId: c.webhookId, attempt: c.attempt, statusCode: o.statusCode, error: o.error, nextAttemptAt: next.toISOString() });
      return;
    }
    q.failed.run(last);
    stats.failed++;
    log.warn("webhook delivery failed", { deliveryId: c.id, webhookId: c.webhookId, attempt: c.attempt, statusCode: o.statusCode, error: o.error });
    if (disable) {
      const hours = Math.round((now.getTime() - failingSince.getTime()) / 3_600_000);
      const reason = `every delivery failed for ${hours} hours (since ${failingSince.toISOString()}); last error: ${o.error}`;
      disableWebhook(tx, now, c.webhookId, reason);
      log.warn("webhook disabled", { webhookId: c.webhookId, reason });
    }
  }

  /**
   * Claims due deliveries up to the limits: global concurrency, one per endpoint. Synchronous
   * (bun:sqlite), so two callers never interleave between the select and the claim.
   */
  function claimDue(): Claimed[] {
    if (stopping) return [];
    const out: Claimed[] = [];
    const busy = new Set(inflight.keys());
    while (busy.size < cfg.concurrency) {
      const now = clock.now();
      const { candidates, complete } = dueCandidates(now, cfg.concurrency - busy.size, busy);
      if (!candidates.length) break;
      let claimed = 0;
      for (const cand of candidates) {
        const attempt = claim(cand.id, now);
        if (attempt === null) continue;
        out.push({ ...cand, attempt, at: now });
        busy.add(cand.webhookId);
        claimed++;
      }
      if (claimed === 0) break; // taken by another process meanwhile: next tick
      if (complete) break; // no other endpoint has a due delivery: no need to ask again
    }
    return out;
  }

  function launch(c: Claimed) {
    stats.attempts++;
    const p: Promise<void> = send(c)
      .then((o) => settle(c, o))
      .catch((e) => {
        // The attempt is not recorded: the delivery stays leased and is retried when the lease ends.
        log.error("webhook delivery bookkeeping failed", { deliveryId: c.id, error: String((e as Error)?.stack ?? e) });
        if (inflight.get(c.webhookId) === p) inflight.delete(c.webhookId);
        if (!stopping) safePump();
      });
    inflight.set(c.webhookId, p);
  }

  /** Outcomes waiting for the next flush, and that flush. */
  let settled: { c: Claimed; o: Outcome }[] = [];
  let flushing: Promise<void> | null = null;

  /**
   * An attempt finished. Outcomes that finish in the same turn of the event loop are recorded
   * together, in one transaction that also claims what is due next (one commit for all);
   * the requests it claimed start once it has committed.
   */
  function settle(c: Claimed, o: Outcome): Promise<void> {
    if (o.interrupted) {
      inflight.delete(c.webhookId);
      // Put the delivery back as it was, due now: the next start sends it (maybe again: at least once).
      q.release.run({ id: c.id, now: clock.now() });
      log.info("webhook delivery interrupted by shutdown, re-queued", { deliveryId: c.id, webhookId: c.webhookId });
      return Promise.resolve();
    }
    settled.push({ c, o });
    return (flushing ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = settled;
        settled = [];
        flushing = null;
        let next: Claimed[] = [];
        try {
          db.transaction((tx) => {
            for (const { c, o } of batch) record(tx, c, o);
            for (const { c } of batch) inflight.delete(c.webhookId);
            next = claimDue();
          });
        } catch (e) {
          for (const { c } of batch) inflight.delete(c.webhookId);
          reject(e);
          return;
        }
        for (const n of next) launch(n);
        resolve();
      })));
  }

  function pump(): number {
    const claimed = claimDue();
    for (const c of claimed) launch(c);
    return claimed.length;
  }

  function safePump() {
    try {
      pump();
    } catch (e) {
      log.error("webhook dispatcher failed to poll", { error: String((e as Error)?.stack ?? e) });
    }
  }

  return {
    name: "webhooks",
    start() {
      stopping = false;
      if (shutdown.signal.aborted) shutdown = new AbortController();
      if (timer) return;
      timer = setInterval(safePump, pollMs);
      (timer as { unref?: () => void }).unref?.();
      safePump();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      const all = Promise.all(inflight.values());
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all, new Promise((r) => (grace = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(grace);
      shutdown.abort();
      await all;
    },
    async drain() {
      const before = { ...stats };
      for (;;) {
        pump();
        if (inflight.size === 0) break;
        await Promise.race(inflight.values());
      }
      return { attempts: stats.attempts - before.attempts, succeeded: stats.succeeded - before.succeeded, failed: stats.failed - before.failed };
    },
    pump,
    get inFlight() {
      return inflight.size;
    },
  };
}

/**
 * The dispatcher's statements, prepared once: building a drizzle query costs far more than
 * running it, and these run several times per delivery. Placeholders in set() and values()
 * go through the column's encoder (Dates); those in conditions and raw `sql` do not (epoch ms).
 */
function outboxQueries(db: Db) {
  const ph = sql.placeholder;
  const nextDue = sql`(SELECT d2.id FROM webhook_deliveries d2 WHERE d2.webhook_id = ${webhooks.id}
    AND d2.status = 'pending' AND d2.next_attempt_at <= ${ph("now")} ORDER BY d2.next_attempt_at LIMIT 1)`;
  const last = {
    lastStatusCode: ph("statusCode"),
    lastError: ph("error"),
    lastDurationMs: ph("durationMs"),
    updatedAt: ph("now"),
  } as Record<string, unknown>;
  const byId = eq(webhookDeliveries.id, ph("id"));
  return {
    due: db.select({ id: webhookDeliveries.id, webhookId: webhooks.id, url: webhooks.url, secret: webhooks.secret, eventId: webhookEvents.id, payload: webhookEvents.payload })
      .from(webhooks)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, nextDue))
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .where(and(eq(webhooks.enabled, true), isNull(webhooks.deletedAt)))
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(ph("limit"))
      .prepare(),
    claim: db.update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: ph("lease") as any, updatedAt: ph("now") as any })
      .where(and(byId, eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, ph("nowMs"))))
      .returning({ attempts: webhookDeliveries.attempts })
      .prepare(),
    insertAttempt: db.insert(webhookAttempts).values({
      deliveryId: ph("deliveryId"), attempt: ph("attempt"), at: ph("at"), statusCode: ph("statusCode"), durationMs: ph("durationMs"), error: ph("error"),
    } as any).prepare(),
    hookState: db.select({ enabled: webhooks.enabled, deletedAt: webhooks.deletedAt, failingSince: webhooks.failingSince })
      .from(webhooks).where(eq(webhooks.id, ph("id"))).prepare(),
    setFailingSince: db.update(webhooks).set({ failingSince: sql`${ph("since")}` as any }).where(eq(webhooks.id, ph("id"))).prepare(),
    clearFailing: db.update(webhooks).set({ failingSince: null }).where(and(eq(webhooks.id, ph("id")), isNotNull(webhooks.failingSince))).prepare(),
    succeeded: db.update(webhookDeliveries).set({ status: "succeeded", nextAttemptAt: null, ...last } as any).where(byId).prepare(),
    retry: db.update(webhookDeliveries).set({ status: "pending", nextAttemptAt: ph("next"), ...last } as any).where(byId).prepare(),
    failed: db.update(webhookDeliveries).set({ status: "failed", nextAttemptAt: null, ...last } as any).where(byId).prepare(),
    release: db.update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} - 1`, nextAttemptAt: ph("now") as any, updatedAt: ph("now") as any })
      .where(and(byId, eq(webhookDeliveries.status, "pending"))).prepare(),
  };
}

/** Reads up to MAX_RESPONSE_BYTES of the response (so the connection can be reused) and returns it as text. */
async function readSome(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, 4096));
}

function describeError(e: unknown, timeoutMs: number): string {
  if (e instanceof TargetRefusedError) return e.message;
  const err = e as { name?: string; code?: string; message?: string };
  if (err?.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  const code = err?.code ?? err?.name ?? "Error";
  if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
  if (code === "ConnectionReset" || code === "ECONNRESET") return "connection reset by the server";
  return `${code}: ${err?.message ?? String(e)}`;
}
