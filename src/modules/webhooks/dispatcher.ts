import type { Worker } from "../../jobs/worker";
import { systemClock, type Clock } from "../../clock";
import type { Deps } from "../../deps";
import { networkPolicy, systemResolver, type Resolver } from "./network";
import { outboxQueries, type ClaimedDelivery, type DeliveryOutcome } from "./outbox-queries";
import { recordOutcome } from "./record-outcome";
import { createDeliverySender } from "./send-delivery";

/**
 * A claimed delivery stays pending with its next attempt pushed past the request timeout plus
 * this margin: if the process dies mid-send, the delivery becomes due again after the lease.
 */
export const LEASE_MARGIN_MS = 60_000;
/** On stop, requests in flight get this long to finish before they are aborted (and re-queued). */
export const STOP_GRACE_MS = 2_000;

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

/**
 * The delivery worker: an in-process timer drains the outbox of pending deliveries. At most
 * `webhooks.concurrency` requests at once overall and one per endpoint, so a slow endpoint holds
 * one slot, not the others. Every attempt is recorded; failures are retried with the back-off of
 * jobs/schedule.ts.
 */
export function createWebhookDispatcher(deps: Deps, opts: DispatcherOptions = {}): WebhookDispatcher {
  const { db, clock, log } = deps;
  const cfg = deps.config.webhooks;
  const random = opts.random ?? Math.random;
  const pollMs = opts.pollMs ?? deps.config.jobs.pollMs;
  const disableAfterMs = cfg.disableAfterHours * 3_600_000;
  const sendDelivery = createDeliverySender({
    timeoutMs: cfg.timeoutMs,
    policy: networkPolicy(cfg.allowedNetworks),
    resolver: opts.resolver ?? systemResolver,
    wallClock: opts.wallClock ?? systemClock,
    tlsCa: opts.tlsCa,
    instanceSecret: deps.secret,
  });
  /** webhookId → the send in flight for that endpoint. */
  const inflight = new Map<string, Promise<void>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopping = false;
  let shutdown = new AbortController();
  const stats: DrainResult = { attempts: 0, succeeded: 0, failed: 0 };

  const queries = outboxQueries(db);

  /** The next due delivery of each endpoint with nothing in flight, oldest due first. */
  function dueCandidates(now: Date, free: number, busy: Set<string>) {
    // One row per endpoint at most; endpoints already busy are skipped here rather than in SQL
    // so that the statement stays prepared. `complete`: every endpoint with a due delivery is in rows.
    const limit = free + busy.size;
    const rows = queries.due.all({ now: now.getTime(), limit });
    return { candidates: rows.filter((row) => !busy.has(row.webhookId)).slice(0, free), complete: rows.length < limit };
  }

  /** Takes the lease: attempt count +1 and next attempt pushed past the timeout, if still due. */
  function claim(id: string, now: Date): number | null {
    const lease = new Date(now.getTime() + cfg.timeoutMs + LEASE_MARGIN_MS);
    const row = queries.claim.get({ id, now, nowMs: now.getTime(), lease });
    return row ? row.attempts : null;
  }

  /**
   * Claims due deliveries up to the limits: global concurrency, one per endpoint. Synchronous
   * (bun:sqlite), so two callers never interleave between the select and the claim.
   */
  function claimDue(): ClaimedDelivery[] {
    if (stopping) return [];
    const out: ClaimedDelivery[] = [];
    const busy = new Set(inflight.keys());
    while (busy.size < cfg.concurrency) {
      const now = clock.now();
      const { candidates, complete } = dueCandidates(now, cfg.concurrency - busy.size, busy);
      if (!candidates.length) break;
      let claimed = 0;
      for (const candidate of candidates) {
        const attempt = claim(candidate.id, now);
        if (attempt === null) continue;
        out.push({ ...candidate, attempt, at: now });
        busy.add(candidate.webhookId);
        claimed++;
      }
      if (claimed === 0) break; // taken by another process meanwhile: next tick
      if (complete) break; // no other endpoint has a due delivery: no need to ask again
    }
    return out;
  }

  function launch(delivery: ClaimedDelivery) {
    stats.attempts++;
    const sending: Promise<void> = sendDelivery(delivery, shutdown.signal)
      .then((outcome) => settle(delivery, outcome))
      .catch((e) => {
        // The attempt is not recorded: the delivery stays leased and is retried when the lease ends.
        log.error("webhook delivery bookkeeping failed", { deliveryId: delivery.id, error: String((e as Error)?.stack ?? e) });
        if (inflight.get(delivery.webhookId) === sending) inflight.delete(delivery.webhookId);
        if (!stopping) safePump();
      });
    inflight.set(delivery.webhookId, sending);
  }

  /** Outcomes waiting for the next flush, and that flush. */
  let settled: { delivery: ClaimedDelivery; outcome: DeliveryOutcome }[] = [];
  let flushing: Promise<void> | null = null;

  /**
   * An attempt finished. Outcomes that finish in the same turn of the event loop are recorded
   * together, in one transaction that also claims what is due next (one commit for all);
   * the requests it claimed start once it has committed.
   */
  function settle(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<void> {
    if (outcome.interrupted) {
      inflight.delete(delivery.webhookId);
      // Put the delivery back as it was, due now: the next start sends it (maybe again: at least once).
      queries.release.run({ id: delivery.id, now: clock.now() });
      log.info("webhook delivery interrupted by shutdown, re-queued", { deliveryId: delivery.id, webhookId: delivery.webhookId });
      return Promise.resolve();
    }
    settled.push({ delivery, outcome });
    return (flushing ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = settled;
        settled = [];
        flushing = null;
        let next: ClaimedDelivery[] = [];
        try {
          db.transaction((tx) => {
            for (const done of batch) {
              const result = recordOutcome(tx, { queries, now: clock.now(), log, disableAfterMs, random }, done.delivery, done.outcome);
              if (result === "succeeded") stats.succeeded++;
              else if (result === "failed") stats.failed++;
            }
            for (const done of batch) inflight.delete(done.delivery.webhookId);
            next = claimDue();
          });
        } catch (e) {
          for (const done of batch) inflight.delete(done.delivery.webhookId);
          reject(e);
          return;
        }
        for (const delivery of next) launch(delivery);
        resolve();
      })));
  }

  function pump(): number {
    const claimed = claimDue();
    for (const delivery of claimed) launch(delivery);
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
