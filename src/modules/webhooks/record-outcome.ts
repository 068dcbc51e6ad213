import { retryDelayMs } from "../../jobs/schedule";
import type { Logger } from "../../log";
import type { Tx } from "../../store/db";
import type { ClaimedDelivery, DeliveryOutcome, OutboxQueries } from "./outbox-queries";
import { disableWebhook } from "./service";

/**
 * Share of a retry delay added at random (the delays are those of jobs/schedule.ts). Not the job
 * outbox's 10 %: docs/webhooks.md tells receivers "up to 20 % random jitter", so this one is
 * published behaviour, while the outbox's is internal.
 */
export const WEBHOOK_JITTER = 0.2;

export interface OutcomeContext {
  queries: OutboxQueries;
  now: Date;
  log: Logger;
  /** An endpoint failing this long is disabled. */
  disableAfterMs: number;
  /** Random number in [0, 1) for jitter. */
  random: () => number;
}

export type OutcomeResult = "succeeded" | "retry" | "failed";

/**
 * Records attempts in the caller's transaction, in the order given (an endpoint's in the order
 * they were sent): see recordOutcome.
 */
export async function recordOutcomes(tx: Tx, ctx: OutcomeContext, batch: readonly { delivery: ClaimedDelivery; outcome: DeliveryOutcome }[]): Promise<OutcomeResult[]> {
  // A success ends the endpoint's failing run; the successes after it have nothing to end, until a failure.
  const cleared = new Set<string>();
  const results: OutcomeResult[] = [];
  for (const { delivery, outcome } of batch) {
    const result = await recordOutcome(tx, ctx, delivery, outcome, !cleared.has(delivery.webhookId));
    if (result === "succeeded") cleared.add(delivery.webhookId);
    else cleared.delete(delivery.webhookId);
    results.push(result);
  }
  return results;
}

/**
 * Records the attempt and the delivery's next state: succeeded, retried later, or failed (and
 * the endpoint disabled once it has failed for disableAfterMs). The statements run through
 * `queries`, prepared on the session of the transaction. `endsFailingRun`: a success clears the
 * endpoint's failing run.
 */
async function recordOutcome(tx: Tx, ctx: OutcomeContext, delivery: ClaimedDelivery, outcome: DeliveryOutcome, endsFailingRun: boolean): Promise<OutcomeResult> {
  const { queries, now, log } = ctx;
  await queries.insertAttempt.execute({ deliveryId: delivery.id, attempt: delivery.attempt, at: delivery.at, statusCode: outcome.statusCode, durationMs: outcome.durationMs, error: outcome.error });
  const last = { id: delivery.id, statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.durationMs, now };
  if (outcome.error === null) {
    await queries.succeeded.execute(last);
    if (endsFailingRun) await queries.clearFailing.execute({ id: delivery.webhookId });
    return "succeeded";
  }
  const [hook] = await queries.hookState.execute({ id: delivery.webhookId });
  const live = !!hook && hook.enabled && !hook.deletedAt;
  const failingSince = hook?.failingSince ?? delivery.at;
  if (hook && !hook.failingSince) await queries.setFailingSince.execute({ id: delivery.webhookId, since: failingSince.getTime() });
  const disable = live && now.getTime() - failingSince.getTime() >= ctx.disableAfterMs;
  const delay = retryDelayMs(delivery.attempt, { jitter: WEBHOOK_JITTER, random: ctx.random });
  const logged = { deliveryId: delivery.id, webhookId: delivery.webhookId, attempt: delivery.attempt, statusCode: outcome.statusCode, error: outcome.error };
  if (live && !disable && delay !== null) {
    const next = new Date(now.getTime() + delay);
    await queries.retry.execute({ ...last, next });
    log.warn("webhook delivery failed, will retry", { ...logged, nextAttemptAt: next.toISOString() });
    return "retry";
  }
  await queries.failed.execute(last);
  log.warn("webhook delivery failed", logged);
  if (disable) {
    const hours = Math.round((now.getTime() - failingSince.getTime()) / 3_600_000);
    const reason = `every delivery failed for ${hours} hours (since ${failingSince.toISOString()}); last error: ${outcome.error}`;
    await disableWebhook(tx, now, delivery.webhookId, reason);
    log.warn("webhook disabled", { webhookId: delivery.webhookId, reason });
  }
  return "failed";
}
