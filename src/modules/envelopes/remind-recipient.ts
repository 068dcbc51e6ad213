import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, notFound } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { envelopes, recipients, type Environment } from "../../store/schema";
import { appendAudit } from "../audit/service";
import type { ActorMeta } from "./actor";
import { loadEnvelopeView, type EnvelopeView } from "./view";

/**
 * Sends a recipient who still has to act their link again, now: a reminder (the API's remind,
 * the console's "Remind") or the invitation itself (the console's "Resend invitation", e.g.
 * after a failed delivery). Either starts a fresh delivery status. 409 unless the envelope is
 * SENT and the recipient was invited and has not acted.
 */
export async function remindRecipient(
  deps: Deps, environment: Environment, who: ActorMeta, envelopeId: string, recipientId: string, kind: "reminder" | "invitation" = "reminder",
): Promise<EnvelopeView> {
  return transaction(deps.db, async (tx) => {
    const envelope = await firstRow(tx.select().from(envelopes).where(and(eq(envelopes.id, envelopeId), eq(envelopes.environment, environment))));
    if (!envelope) throw notFound("Envelope", envelopeId);
    const r = await firstRow(tx.select().from(recipients).where(and(eq(recipients.id, recipientId), eq(recipients.envelopeId, envelopeId))));
    if (!r) throw notFound("Recipient", `${recipientId} in envelope ${envelopeId}`);
    if (envelope.status !== "SENT") throw new AppError(envelope.status === "DRAFT" ? "envelope_not_sent" : "envelope_ended", `Envelope ${envelopeId} is ${envelope.status}`);
    if (r.status !== "SENT" && r.status !== "VIEWED")
      throw new AppError("conflict", `Recipient ${recipientId} is ${r.status}: ${r.status === "PENDING" ? "not invited yet (a later routing group)" : "nothing left to do"}`);
    const now = deps.clock.now();
    const audit = { envelopeId, actor: who.actor, ip: who.ip, userAgent: who.userAgent };
    if (kind === "reminder") {
      await tx.update(recipients).set({ lastRemindedAt: now }).where(eq(recipients.id, r.id));
      await enqueue(tx, deps.clock, { kind: "send_reminder", payload: { recipientId: r.id } });
      await appendAudit(tx, deps.clock, { ...audit, type: "recipient.reminded", data: { recipientId: r.id } });
    } else {
      await enqueue(tx, deps.clock, { kind: "send_invitation", payload: { recipientId: r.id } });
      await appendAudit(tx, deps.clock, { ...audit, type: "recipient.invited", data: { recipientId: r.id, email: r.email, routingOrder: r.routingOrder, resend: true } });
    }
    return (await loadEnvelopeView(tx, deps, envelopeId))!;
  });
}
