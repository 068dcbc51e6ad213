import { and, asc, inArray, lt, sql } from "drizzle-orm";
import { keptForDays, periodicDeletion } from "../../jobs/periodic-deletion";
import { preparedPerSession } from "../../store/prepared";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../../store/schema";
import { transaction } from "../../store/transaction";

/** Events deleted per transaction, with their deliveries and attempts. */
const BATCH = 500;

/** The oldest events made before `before` (ms) none of whose deliveries is pending, through webhook_events_created. */
const oldestFinished = preparedPerSession((tx) =>
  tx.select({ id: webhookEvents.id }).from(webhookEvents)
    .where(and(
      lt(webhookEvents.createdAt, sql.placeholder("before") as never),
      sql`NOT EXISTS (SELECT 1 FROM ${webhookDeliveries} WHERE ${webhookDeliveries.eventId} = ${webhookEvents.id} AND ${webhookDeliveries.status} = 'pending')`,
    ))
    .orderBy(asc(webhookEvents.createdAt)).limit(BATCH).prepare());

/**
 * Deletes webhook events `webhooks.keepDays` after they were made (0: never), with their
 * deliveries and attempts, once none of their deliveries is pending: each event holds the
 * envelope as it was (names, e-mail addresses), a few KB per event and several events per
 * envelope. The rows are chosen in the deleting transaction (serializable on PostgreSQL), so a
 * resend made meanwhile keeps its event.
 */
export const historyPurge = () =>
  periodicDeletion(keptForDays((config) => config.webhooks.keepDays), BATCH, (deps, before) =>
    transaction(deps.db, async (tx) => {
      const ids = (await oldestFinished(tx).execute({ before })).map((r) => r.id);
      if (!ids.length) return 0;
      const deliveries = tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(inArray(webhookDeliveries.eventId, ids));
      await tx.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveries));
      await tx.delete(webhookDeliveries).where(inArray(webhookDeliveries.eventId, ids));
      await tx.delete(webhookEvents).where(inArray(webhookEvents.id, ids));
      return ids.length;
    }));
