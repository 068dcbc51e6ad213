/** What the job runner does on each tick for notifications: reminders due, envelopes past their expiry. */
import { and, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import type { RecipientStatus } from "../../enums";
import { enqueue } from "../../jobs/queue";
import { envelopes, recipients } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { expireDueEnvelopes } from "../envelopes/expire-envelope";

/** Recipient statuses of someone who was invited and has not acted yet. */
const WAITING = ["SENT", "VIEWED"] as const;
const isWaiting = (r: { status: RecipientStatus }) => (WAITING as readonly RecipientStatus[]).includes(r.status);
/**
 * Reminders: for envelopes with a reminderIntervalHours, every recipient invited and still to act
 * is reminded once per interval, counted from the invitation or the last reminder. lastRemindedAt
 * is set in the transaction that enqueues the reminder, so a reminder is never doubled.
 */
export function sweepReminders(deps: Deps): number {
  const now = deps.clock.now();
  const candidates = deps.db
    .select({ recipient: recipients, envelope: envelopes })
    .from(recipients)
    .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId))
    .where(
      and(
        eq(envelopes.status, "SENT"),
        isNotNull(envelopes.reminderIntervalHours),
        inArray(recipients.status, [...WAITING]),
        ne(recipients.role, "CC"),
        // Embedded recipients sign in the integrator's app: no e-mail reminds them.
        eq(recipients.embedded, false),
        // Times are integer milliseconds: only the recipients whose interval has run out.
        sql`coalesce(${recipients.lastRemindedAt}, ${recipients.sentAt}, ${envelopes.sentAt}) + ${envelopes.reminderIntervalHours} * 3600000 <= ${now.getTime()}`,
      ),
    )
    .all();
  let n = 0;
  for (const { recipient, envelope } of candidates) {
    if (envelope.expiresAt && envelope.expiresAt <= now) continue;
    const done = deps.db.transaction(
      (tx) => {
        // Re-check under the write lock: another process may have reminded meanwhile, the
        // recipient may have acted, or the envelope ended (voided, declined).
        const current = tx
          .select({ r: recipients, envelopeStatus: envelopes.status })
          .from(recipients)
          .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId))
          .where(eq(recipients.id, recipient.id))
          .get();
        if (!current || current.envelopeStatus !== "SENT") return false;
        const { r } = current;
        if (!isWaiting(r) || (r.lastRemindedAt?.getTime() ?? 0) !== (recipient.lastRemindedAt?.getTime() ?? 0)) return false;
        tx.update(recipients).set({ lastRemindedAt: now }).where(eq(recipients.id, r.id)).run();
        enqueue(tx, deps.clock, { kind: "send_reminder", payload: { recipientId: r.id } });
        appendAudit(tx, deps.clock, { envelopeId: envelope.id, type: "recipient.reminded", actor: "system", data: { recipientId: r.id } });
        return true;
      },
      { behavior: "immediate" },
    );
    if (done) n++;
  }
  if (n) deps.log.info("reminders enqueued", { count: n });
  return n;
}

/** Expiry: envelopes still SENT whose expiresAt has passed are expired (envelopes/expire-envelope.ts). */
export function sweepExpired(deps: Deps): number {
  const expired = expireDueEnvelopes(deps);
  if (expired.length) deps.log.info("envelopes expired", { count: expired.length, envelopeIds: expired });
  return expired.length;
}

/** Functions the job runner calls on each tick. */
export const notificationPeriodic: Array<(deps: Deps) => Promise<void> | void> = [
  function expiry(deps) {
    sweepExpired(deps);
  },
  function reminders(deps) {
    sweepReminders(deps);
  },
];
