import { enqueue } from "../../jobs/queue";
import type { Tx } from "../../store/db";
import { SYSTEM } from "./actor";
import { auditEnvelope, type EnvelopeChangeDeps } from "./record-change";
import { updateRecipient, type EnvelopeRow, type RecipientRow } from "./rows";

/**
 * Invites the recipients `ids` of the envelope, found among its rows `recipients` (which the
 * caller has read): status SENT, one "send_invitation" job each, an audit event each. An embedded
 * recipient signs inside the integrator's app: its turn starts, but no message goes. In the
 * caller's transaction.
 */
export async function inviteRecipients(tx: Tx, deps: EnvelopeChangeDeps, envelope: EnvelopeRow, recipients: readonly RecipientRow[], ids: readonly string[]) {
  const now = deps.clock.now();
  for (const r of recipients.filter((r) => ids.includes(r.id))) {
    await updateRecipient(tx, { status: "SENT", sentAt: now }, { id: r.id });
    if (!r.embedded) await enqueue(tx, deps.clock, { kind: "send_invitation", payload: { recipientId: r.id } });
    const channels = r.embedded ? [] : envelope.notifyBySms && r.phone ? ["email", "sms"] : ["email"];
    await auditEnvelope(tx, deps, envelope.id, "recipient.invited", SYSTEM, { recipientId: r.id, email: r.email, routingOrder: r.routingOrder, channels });
  }
}
