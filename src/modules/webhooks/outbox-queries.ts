import { and, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Tx } from "../../store/db";
import { inIds, lockingRows } from "../../store/portable-sql";
import { webhookAttempts, webhookDeliveries, webhookEvents, webhooks } from "../../store/schema";

/**
 * A delivery still to send, written as the condition of the index webhook_deliveries_pending
 * (a bound 'pending' would not let SQLite use that index).
 */
export const pendingDelivery = sql`${webhookDeliveries.status} = 'pending'`;

/**
 * The dispatcher's statements, prepared once (store/prepared.ts preparedPerSession): building
 * a drizzle query costs far more than running it, and these run for every delivery.
 * Placeholders in set() and values() go through the column's encoder (Dates); those in conditions
 * and raw `sql` do not (epoch ms).
 */
export function outboxQueries(db: Tx) {
  const placeholder = sql.placeholder;
  const nextDue = sql`(SELECT d2.id FROM webhook_deliveries d2 WHERE d2.webhook_id = ${webhooks.id}
    AND d2.status = 'pending' AND d2.next_attempt_at <= ${placeholder("now")} ORDER BY d2.next_attempt_at LIMIT 1)`;
  const last = {
    lastStatusCode: placeholder("statusCode"),
    lastError: placeholder("error"),
    lastDurationMs: placeholder("durationMs"),
    updatedAt: placeholder("now"),
  } as Record<string, unknown>;
  const byId = eq(webhookDeliveries.id, placeholder("id"));
  return {
    /** Endpoints with a due delivery, the oldest due first. */
    due: db.select({ webhookId: webhooks.id })
      .from(webhooks)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, nextDue))
      .where(and(eq(webhooks.enabled, true), isNull(webhooks.deletedAt)))
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(placeholder("limit"))
      .prepare(),
    /** Where an endpoint's deliveries go, if it takes deliveries (enabled, not deleted). */
    endpoint: db.select({ url: webhooks.url, secret: webhooks.secret })
      .from(webhooks)
      .where(and(eq(webhooks.id, placeholder("webhookId")), eq(webhooks.enabled, true), isNull(webhooks.deletedAt)))
      .prepare(),
    /** The next due deliveries of one endpoint, oldest first (index webhook_deliveries_pending), with their payload. */
    dueOf: db.select({ id: webhookDeliveries.id, eventId: webhookEvents.id, payload: webhookEvents.payload })
      .from(webhookDeliveries)
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .where(and(eq(webhookDeliveries.webhookId, placeholder("webhookId")), pendingDelivery, lte(webhookDeliveries.nextAttemptAt, placeholder("now"))))
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(placeholder("limit"))
      .prepare(),
    /**
     * Leases the deliveries `ids` (idsParam) that are still due, in one statement: the conditions
     * are the compare-and-set against another node that took some of them since they were read.
     */
    claim: db.update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: placeholder("lease") as any, updatedAt: placeholder("now") as any })
      .where(and(inIds(db, webhookDeliveries.id), pendingDelivery, lte(webhookDeliveries.nextAttemptAt, placeholder("nowMs"))))
      .returning({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts })
      .prepare(),
    insertAttempt: db.insert(webhookAttempts).values({
      deliveryId: placeholder("deliveryId"), attempt: placeholder("attempt"), at: placeholder("at"),
      statusCode: placeholder("statusCode"), durationMs: placeholder("durationMs"), error: placeholder("error"),
    } as any).prepare(),
    /**
     * The endpoint's state when an attempt failed, its row locked (PostgreSQL) until the
     * outcome is recorded: a deletion or a disabling commits before (and the delivery is then
     * failed, not put back as pending) or waits, and of two nodes the second reads the failing
     * run the first started.
     */
    hookState: lockingRows(db, db.select({ enabled: webhooks.enabled, deletedAt: webhooks.deletedAt, failingSince: webhooks.failingSince })
      .from(webhooks).where(eq(webhooks.id, placeholder("id")))).prepare(),
    setFailingSince: db.update(webhooks).set({ failingSince: sql`${placeholder("since")}` as any }).where(eq(webhooks.id, placeholder("id"))).prepare(),
    clearFailing: db.update(webhooks).set({ failingSince: null }).where(and(eq(webhooks.id, placeholder("id")), isNotNull(webhooks.failingSince))).prepare(),
    succeeded: db.update(webhookDeliveries).set({ status: "succeeded", nextAttemptAt: null, ...last } as any).where(byId).prepare(),
    retry: db.update(webhookDeliveries).set({ status: "pending", nextAttemptAt: placeholder("next"), ...last } as any).where(byId).prepare(),
    failed: db.update(webhookDeliveries).set({ status: "failed", nextAttemptAt: null, ...last } as any).where(byId).prepare(),
    release: db.update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} - 1`, nextAttemptAt: placeholder("now") as any, updatedAt: placeholder("now") as any })
      .where(and(byId, eq(webhookDeliveries.status, "pending"))).prepare(),
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;

/** A delivery the dispatcher has leased: what one attempt needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  attempt: number;
  at: Date;
  url: string;
  secret: string;
  payload: string;
}

/** What one attempt gave. */
export interface DeliveryOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** Aborted because the server is stopping: not an attempt against the endpoint. */
  interrupted?: boolean;
}
