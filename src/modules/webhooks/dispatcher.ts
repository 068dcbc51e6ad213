import { onWork, type Worker } from "../../jobs/worker";
import { systemClock, type Clock } from "../../clock";
import type { Deps } from "../../deps";
import { outageNotice } from "../../store/outage";
import { idsParam } from "../../store/portable-sql";
import { preparedPerSession } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import { networkPolicy, systemResolver, type Resolver } from "./network";
import { outboxQueries, type ClaimedDelivery, type DeliveryOutcome, type OutboxQueries } from "./outbox-queries";
import { recordOutcomes } from "./record-outcome";
import { createDeliverySender } from "./send-delivery";

/**
 * Deliveries claimed ahead per endpoint: when an answer comes in, the endpoint's next delivery
 * starts at once instead of after the commit that records the answer, so the database work of an
 * attempt overlaps the next request, and the outcomes of a run of them share a commit (settle).
 * Their lease covers waiting behind the ones before them.
 */
export const CLAIM_AHEAD = 32;
/** A busy endpoint's queue is refilled when fewer than this many are left in it. */
const REFILL_BELOW = CLAIM_AHEAD / 2;
/**
 * A transaction that refills one queue tops up every busy endpoint's queue below this too: a
 * claim costs its statements whatever it takes, a commit costs more than they do, and endpoints
 * whose queues are lined up this way run low together, so one commit records and refills them
 * all (at 8 endpoints, 100-140 commits per 10,000 deliveries instead of 470-540).
 */
const TOP_UP_BELOW = (CLAIM_AHEAD * 3) / 4;
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
  /** Starts due deliveries up to the concurrency limits; resolves with how many it started. */
  pump(): Promise<number>;
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
  const leaseMarginMs = deps.config.jobs.leaseSeconds * 1000;
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
  let unsubscribe = () => {};
  let wakeScheduled = false;

  /** An event with deliveries was recorded: send them on the next turn rather than at the next poll. */
  function wake() {
    if (stopping || wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      if (!stopping) safePump();
    });
  }

  /**
   * An endpoint's URL changed, or it was disabled or deleted, on this node or another: what was
   * claimed ahead went with the old settings, so it all goes back, to be claimed again as the
   * endpoints are now (a deleted or disabled one's deliveries are failed already, and stay so).
   * Only the sends in flight, one per endpoint, still go out. Endpoint changes are rare: every
   * queue is emptied rather than finding which endpoint changed.
   * At once, no delivery of those queues starts any more (settle), and a claim made before the
   * change is put back rather than kept (putBackIfStale); the queues are emptied on a later
   * turn, under exclusively() as every other change of them: on SQLite the signal comes from
   * inside the changing transaction.
   */
  function endpointsChanged() {
    if (stopping) return;
    endpointsVersion++;
    for (const queue of queued.values()) staleQueues.add(queue);
    setImmediate(() => {
      exclusively(async () => {
        const stale = [...queued.values()].flatMap((queue) => queue.splice(0));
        await release(queriesOf(db), stale);
        log.debug("webhook endpoints changed: deliveries claimed ahead put back", { count: stale.length });
      }).catch((e) => log.error("webhook release failed", { error: String((e as Error)?.stack ?? e) }));
    });
  }

  /** The statements, on the session a transaction runs on (the database's own, outside one). */
  const queriesOf = preparedPerSession(outboxQueries);
  /** webhookId → deliveries claimed ahead, not yet sent (see CLAIM_AHEAD). */
  const queued = new Map<string, ClaimedDelivery[]>();
  /** Queues claimed before an endpoint changed: none of theirs starts (endpointsChanged). */
  const staleQueues = new WeakSet<ClaimedDelivery[]>();
  /** Counts endpoint changes: a claim that saw another count than the one now was made before a change. */
  let endpointsVersion = 0;
  /** webhookId → id of the delivery being sent. */
  const sendingNow = new Map<string, string>();

  /** The endpoints with a due delivery, oldest due first, skipping busy ones. */
  async function dueEndpoints(q: OutboxQueries, now: Date, free: number, busy: Set<string>) {
    // One row per endpoint at most; endpoints already busy are skipped here rather than in SQL
    // so that the statement stays prepared. `complete`: every endpoint with a due delivery is in rows.
    const limit = free + busy.size;
    const rows = await q.due.execute({ now: now.getTime(), limit });
    return { candidates: rows.filter((row) => !busy.has(row.webhookId)).slice(0, free), complete: rows.length < limit };
  }

  /**
   * Takes the lease of up to `count` due deliveries of an endpoint, in two statements whatever the
   * count: attempt count +1 and next attempt pushed past the request timeout, times the place in
   * the queue of the batch's last delivery (each one before it may take the whole timeout), plus a
   * margin. One lease for the batch: the earlier ones' is longer than they need, which only
   * matters if the node dies (they are then sent again that much later).
   */
  async function claimFor(q: OutboxQueries, webhookId: string, now: Date, count: number, queuedBefore = 0): Promise<ClaimedDelivery[]> {
    const [endpoint] = await q.endpoint.execute({ webhookId });
    if (!endpoint) return [];
    const rows = await q.dueOf.execute({ webhookId, now: now.getTime(), limit: count });
    if (!rows.length) return [];
    // Past its request timeout (and those queued before it) plus jobs.leaseSeconds: if the node
    // dies mid-send, the delivery becomes due again, on any node, after the lease.
    const lease = new Date(now.getTime() + (queuedBefore + rows.length) * cfg.timeoutMs + leaseMarginMs);
    const taken = await q.claim.execute({ ...idsParam(rows.map((row) => row.id)), now, nowMs: now.getTime(), lease });
    const attempts = new Map(taken.map((t) => [t.id, t.attempts]));
    // Rows another node took meanwhile are not returned by the claim: left out, in order.
    return rows.flatMap((row) => (attempts.has(row.id) ? [{ ...row, ...endpoint, webhookId, attempt: attempts.get(row.id)!, at: now }] : []));
  }

  /** Puts claimed deliveries back as they were, due now (not an attempt against the endpoint). */
  async function release(q: OutboxQueries, deliveries: ClaimedDelivery[]) {
    const now = clock.now();
    for (const d of deliveries) await q.release.execute({ id: d.id, now });
  }

  /** The claim under way (claimDue and the launches after it): claims run one at a time. */
  let claiming: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` once no other claim runs. A claim awaits the database between its select and its
   * updates, and two claims interleaving there would both take an idle endpoint (two requests in
   * flight to it, or more than the concurrency limit) or refill a queue the other replaced.
   */
  function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = claiming.then(work);
    claiming = run.catch(() => {});
    return run;
  }

  /** What a claim took, kept in memory once its writes are committed (takeClaim). */
  interface Claim {
    /** endpointsVersion when the claim began. */
    endpoints: number;
    /** Deliveries to start now, one per endpoint. */
    start: ClaimedDelivery[];
    /** The queue of each endpoint that starts now. */
    queues: Map<string, ClaimedDelivery[]>;
    /** Busy endpoints whose queue ran low: that queue, and the deliveries to add to it. */
    refills: { webhookId: string; queue: ClaimedDelivery[]; more: ClaimedDelivery[] }[];
  }

  /**
   * Claims due deliveries up to the limits (global concurrency, one in flight per endpoint) and
   * tops up the queues of busy endpoints that run low (TOP_UP_BELOW). Changes nothing in memory,
   * since a PostgreSQL transaction may run it twice: its caller applies the claim (takeClaim) once
   * committed, under the same exclusively(). `idled`: endpoints the caller's transaction idles.
   * `search`: also look for endpoints with due deliveries to start (the costly query of a claim).
   * Only a poll, a wake-up or an endpoint going idle can make room for one or give one work;
   * a batch that only records the outcomes of busy endpoints skips it.
   */
  async function claimDue(q: OutboxQueries, search: boolean, idled: ReadonlySet<string> = new Set()): Promise<Claim> {
    const claim: Claim = { endpoints: endpointsVersion, start: [], queues: new Map(), refills: [] };
    if (stopping) return claim;
    const now = clock.now();
    for (const [webhookId, queue] of queued) {
      if (idled.has(webhookId) || queue.length >= TOP_UP_BELOW || !sendingNow.has(webhookId)) continue;
      claim.refills.push({ webhookId, queue, more: await claimFor(q, webhookId, now, CLAIM_AHEAD - queue.length, queue.length + 1) });
    }
    const busy = new Set([...inflight.keys()].filter((webhookId) => !idled.has(webhookId)));
    while (search && busy.size < cfg.concurrency) {
      const { candidates, complete } = await dueEndpoints(q, now, cfg.concurrency - busy.size, busy);
      if (!candidates.length) break;
      let claimed = 0;
      for (const candidate of candidates) {
        const [first, ...ahead] = await claimFor(q, candidate.webhookId, now, CLAIM_AHEAD);
        if (!first) continue;
        claim.start.push(first);
        claim.queues.set(candidate.webhookId, ahead);
        busy.add(candidate.webhookId);
        claimed++;
      }
      if (claimed === 0) break; // taken by another process meanwhile: next tick
      if (complete) break; // no other endpoint has a due delivery: no need to ask again
    }
    return claim;
  }

  /** Keeps a committed claim: refills join their queue (or go back, the endpoint having gone idle meanwhile), the rest starts. */
  function takeClaim(claim: Claim): number {
    for (const { webhookId, queue, more } of claim.refills) {
      if (queued.get(webhookId) === queue && !staleQueues.has(queue)) queue.push(...more);
      else releaseNow(more);
    }
    for (const [webhookId, ahead] of claim.queues) queued.set(webhookId, ahead);
    for (const delivery of claim.start) launch(delivery);
    return claim.start.length;
  }

  /**
   * A claim made before an endpoint changed may hold the endpoint's old URL: what it took goes back
   * (true), to be claimed again as the endpoints are now.
   */
  async function putBackIfStale(claim: Claim): Promise<boolean> {
    if (claim.endpoints === endpointsVersion) return false;
    await release(queriesOf(db), [...claim.start, ...[...claim.queues.values()].flat(), ...claim.refills.flatMap((r) => r.more)]);
    return true;
  }

  function launch(claimed: ClaimedDelivery) {
    stats.attempts++;
    // The attempt starts now, which for a delivery claimed ahead is after its claim.
    const delivery = { ...claimed, at: clock.now() };
    sendingNow.set(delivery.webhookId, delivery.id);
    const sending: Promise<void> = sendDelivery(delivery, shutdown.signal)
      .then((outcome) => settle(delivery, outcome))
      .catch((e) => {
        // The attempt is not recorded: the delivery stays leased and is retried when the lease ends.
        log.error("webhook delivery bookkeeping failed", { deliveryId: delivery.id, error: String((e as Error)?.stack ?? e) });
        if (sendingNow.get(delivery.webhookId) === delivery.id) releaseNow(forget(delivery.webhookId));
        if (!stopping) safePump();
      });
    inflight.set(delivery.webhookId, sending);
  }

  /** Nothing in flight for the endpoint any more: returns what it had claimed ahead, which goes back (release). */
  function forget(webhookId: string): ClaimedDelivery[] {
    inflight.delete(webhookId);
    sendingNow.delete(webhookId);
    const ahead = queued.get(webhookId) ?? [];
    queued.delete(webhookId);
    return ahead;
  }

  /** release() outside a transaction, for paths that do not wait for it: a failure is logged (the leases end by themselves). */
  function releaseNow(deliveries: ClaimedDelivery[]) {
    if (!deliveries.length) return;
    void release(queriesOf(db), deliveries).catch((e) =>
      log.error("webhook release failed", { deliveryIds: deliveries.map((d) => d.id), error: String((e as Error)?.stack ?? e) }));
  }

  /** Outcomes not recorded yet, and the promise that the flush recording them keeps. */
  let settled: { delivery: ClaimedDelivery; outcome: DeliveryOutcome }[] = [];
  let recorded: PromiseWithResolvers<void> | null = null;
  let flushScheduled = false;

  /**
   * An attempt finished; resolves once its outcome is recorded. After a success the endpoint's
   * next delivery claimed ahead starts at once; after a failure the endpoint stops and its
   * claimed-ahead deliveries go back (the next claim sees whether it is still enabled).
   * Group commit: while an endpoint goes on through its queue, its outcomes wait and are recorded
   * together, in one transaction that also refills the queue, when the queue runs low or the
   * endpoint stops (a commit costs more than the statements in it). Until then a crash leaves
   * them leased, to be sent again when the lease ends: at least once.
   */
  async function settle(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<void> {
    if (outcome.interrupted) {
      const ahead = forget(delivery.webhookId);
      // The outcomes of the endpoint's earlier attempts may be waiting: no later one will flush them.
      const earlier = recorded;
      if (earlier) scheduleFlush();
      // Put the delivery back as it was, due now: the next start sends it (maybe again: at least once).
      await release(queriesOf(db), [...ahead, delivery]);
      log.info("webhook delivery interrupted by shutdown, re-queued", { deliveryId: delivery.id, webhookId: delivery.webhookId });
      return earlier?.promise;
    }
    settled.push({ delivery, outcome });
    const queue = queued.get(delivery.webhookId);
    const next = outcome.error === null && !stopping && queue && !staleQueues.has(queue) ? queue.shift() : undefined;
    if (next) launch(next);
    const batch = (recorded ??= Promise.withResolvers<void>());
    if (!next || queue!.length < REFILL_BELOW) scheduleFlush();
    return batch.promise;
  }

  /** Flushes on the next turn of the event loop, with every outcome settled until then. */
  function scheduleFlush() {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  function flush() {
    flushScheduled = false;
    const batch = settled;
    const done = recorded!;
    settled = [];
    recorded = null;
    // Endpoints whose delivery in the batch was their last one in flight: idle once committed.
    const idled = new Set(batch.filter((d) => sendingNow.get(d.delivery.webhookId) === d.delivery.id).map((d) => d.delivery.webhookId));
    exclusively(async () => {
      // Database work only in the body (it may run twice on PostgreSQL); memory changes after the commit.
      // Read committed on PostgreSQL: the deliveries recorded are leased to this node, the
      // releases and claims are compare-and-sets whose rows returned decide, and a failure
      // locks its endpoint's row before reading it (hookState).
      const { results, claim } = await transaction(db, async (tx) => {
        const q = queriesOf(tx);
        const results = await recordOutcomes(tx, { queries: q, now: clock.now(), log, disableAfterMs, random }, batch);
        for (const webhookId of idled) await release(q, queued.get(webhookId) ?? []);
        // An endpoint going idle leaves room for another one: look for it.
        return { results, claim: await claimDue(q, idled.size > 0, idled) };
      }, { isolation: "read committed" });
      for (const result of results) {
        if (result === "succeeded") stats.succeeded++;
        else if (result === "failed") stats.failed++;
      }
      for (const webhookId of idled) forget(webhookId);
      if (await putBackIfStale(claim)) wake();
      else takeClaim(claim);
    }).then(done.resolve, (e) => {
      for (const webhookId of idled) releaseNow(forget(webhookId));
      done.reject(e);
    });
  }

  function pump(): Promise<number> {
    return exclusively(async () => {
      for (;;) {
        const claim = await claimDue(queriesOf(db), true);
        if (!(await putBackIfStale(claim))) return takeClaim(claim);
      }
    });
  }

  const outage = outageNotice(log, "webhook delivery");
  function safePump() {
    pump().then(outage.ok, (e) => {
      if (!outage.failed(e)) log.error("webhook dispatcher failed to poll", { error: String((e as Error)?.stack ?? e) });
    });
  }

  return {
    name: "webhooks",
    start() {
      stopping = false;
      if (shutdown.signal.aborted) shutdown = new AbortController();
      if (timer) return;
      const unsubscribeWork = deps.config.jobs.wakeOnEnqueue ? onWork(db, "webhooks", wake) : () => {};
      const unsubscribeEndpoints = onWork(db, "webhook-endpoints", endpointsChanged);
      unsubscribe = () => {
        unsubscribeWork();
        unsubscribeEndpoints();
      };
      timer = setInterval(safePump, pollMs);
      (timer as { unref?: () => void }).unref?.();
      safePump();
    },
    async stop() {
      stopping = true;
      unsubscribe();
      if (timer) clearInterval(timer);
      timer = null;
      // A claim under way launches what it took: wait for it, so that those sends are awaited too.
      await claiming;
      const all = Promise.all(inflight.values());
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all, new Promise((r) => (grace = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(grace);
      shutdown.abort();
      await all;
      for (const webhookId of [...queued.keys()]) if (!inflight.has(webhookId)) await release(queriesOf(db), forget(webhookId));
    },
    async drain() {
      const before = { ...stats };
      for (;;) {
        await pump();
        if (inflight.size === 0) break;
        // An endpoint going idle looks for due work itself (flush): look again once all are idle.
        while (inflight.size) await Promise.race(inflight.values());
      }
      return { attempts: stats.attempts - before.attempts, succeeded: stats.succeeded - before.succeeded, failed: stats.failed - before.failed };
    },
    pump,
    get inFlight() {
      return inflight.size;
    },
  };
}
