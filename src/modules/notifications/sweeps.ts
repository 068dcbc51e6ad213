/** What the job runner does on each tick for notifications: reminders due, envelopes past their expiry. */
import { and, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import type { RecipientStatus } from "../../enums";
import { enqueue } from "../../jobs/queue";
import { firstRow } from "../../store/portable-sql";
import { preparedPerDb } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import { envelopes, recipients } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { expireDueEnvelopes } from "../envelopes/expire-envelope";

/** Recipient statuses of someone who was invited and has not acted yet. */
const WAITING = ["SENT", "VIEWED"] as const;
const isWaiting = (r: { status: RecipientStatus }) => (WAITING as readonly RecipientStatus[]).includes(r.status);
/** The recipients due for a reminder at `now` (ms): prepared once, as the sweep runs on every poll (each second). */
const dueReminders = preparedPerDb((db) => db
  .select({ recipient: recipients, envelope: envelopes })
  .from(recipients)
  .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId))
  .where(
    and(
      eq(envelopes.status, "SENT"),
      // At least an hour, as the API has it: an interval under that (stored while a body's
      // numbers given as text skipped their bounds: "0", "-5") would remind at every sweep.
      gte(envelopes.reminderIntervalHours, 1),
      inArray(recipients.status, [...WAITING]),
      ne(recipients.role, "CC"),
      // Embedded recipients sign in the integrator's app: no e-mail reminds them.
      eq(recipients.embedded, false),
      // Times are integer milliseconds: only the recipients whose interval has run out (a bigint
      // factor: hours * 3600000 outgrows PostgreSQL's 32-bit integer past 596 hours).
      sql`coalesce(${recipients.lastRemindedAt}, ${recipients.sentAt}, ${envelopes.sentAt}) + ${envelopes.reminderIntervalHours} * cast(3600000 as bigint) <= ${sql.placeholder("now")}`,
    ),
  ).prepare());

/**
 * Reminders: for envelopes with a reminderIntervalHours, every recipient invited and still to act
 * is reminded once per interval, counted from the invitation or the last reminder. lastRemindedAt
 * is set in the transaction that enqueues the reminder, so a reminder is never doubled.
 */
export async function sweepReminders(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const candidates = await dueReminders(deps.db).execute({ now: now.getTime() });
  let n = 0;
  for (const { recipient, envelope } of candidates) {
    if (envelope.expiresAt && envelope.expiresAt <= now) continue;
    const done = await transaction(deps.db, async (tx) => {
      // Re-check under the write lock: another process may have reminded meanwhile, the
      // recipient may have acted, or the envelope ended (voided, declined).
      const current = await firstRow(tx
        .select({ r: recipients, envelopeStatus: envelopes.status })
        .from(recipients)
        .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId))
        .where(eq(recipients.id, recipient.id)));
      if (!current || current.envelopeStatus !== "SENT") return false;
      const { r } = current;
      if (!isWaiting(r) || (r.lastRemindedAt?.getTime() ?? 0) !== (recipient.lastRemindedAt?.getTime() ?? 0)) return false;
      await tx.update(recipients).set({ lastRemindedAt: now }).where(eq(recipients.id, r.id));
      await enqueue(tx, deps.clock, { kind: "send_reminder", payload: { recipientId: r.id } });
      await appendAudit(tx, deps.clock, { envelopeId: envelope.id, type: "recipient.reminded", actor: "system", data: { recipientId: r.id } });
      return true;
    });
    if (done) n++;
  }
  if (n) deps.log.info("reminders enqueued", { count: n });
  return n;
}

/** Expiry: envelopes still SENT whose expiresAt has passed are expired (envelopes/expire-envelope.ts). */
export async function sweepExpired(deps: Deps): Promise<number> {
  const expired = await expireDueEnvelopes(deps);
  if (expired.length) deps.log.info("envelopes expired", { count: expired.length, envelopeIds: expired });
  return expired.length;
}

/** Functions the job runner calls on each tick. */
export const notificationPeriodic: Array<(deps: Deps) => Promise<void> | void> = [
  async function expiry(deps) {
    await sweepExpired(deps);
  },
  async function reminders(deps) {
    await sweepReminders(deps);
  },
];
