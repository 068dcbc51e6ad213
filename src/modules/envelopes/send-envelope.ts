import type { Deps } from "../../deps";
import { AppError, invalid } from "../../errors";
import { transaction } from "../../store/transaction";
import type { Environment } from "../../store/schema";
import { signingToken, tokenHash } from "../signing/token";
import type { ActorMeta } from "./actor";
import { inviteRecipients } from "./invite-recipients";
import { nextStep } from "./routing";
import { auditEnvelope, moveEnvelopeStatus, recordEnvelopeEventAndLoad } from "./record-change";
import { documentHashes, findEnvelopeRow, recipientRows, updateRecipient } from "./rows";
import { publicEnvelope, type EnvelopeView } from "./view";

export interface SendEnvelopeInput {
  environment: Environment;
  who: ActorMeta;
  envelopeId: string;
}

/**
 * POST /envelopes/{id}/send, DRAFT → SENT: tokens issued to every recipient, the first routing group invited. Twice: 409.
 * Read committed on PostgreSQL: the envelope's row is locked first, so a send, a PATCH or a
 * deletion of the same envelope runs before or after this one, never midway.
 */
export async function sendEnvelope(deps: Deps, { environment, who, envelopeId: id }: SendEnvelopeInput): Promise<EnvelopeView> {
  return transaction(deps.db, async (tx) => {
    const row = await findEnvelopeRow(tx, environment, id, { lock: true });
    if (row.status !== "DRAFT")
      throw new AppError("envelope_already_sent", `Envelope ${id} is ${row.status}: it was already sent`);
    const now = deps.clock.now();
    if (row.expiresAt && row.expiresAt <= now)
      throw invalid([{ pointer: "/expiresAt", message: "the envelope's expiresAt has passed: PATCH a later one, then send" }], "The envelope has expired before being sent");
    await moveEnvelopeStatus(tx, deps, row, "SENT", { sentAt: now });
    const rs = await recipientRows(tx, id);
    for (const r of rs) await updateRecipient(tx, { tokenHash: tokenHash(signingToken(deps.secret, r.id)) }, { id: r.id });
    await auditEnvelope(tx, deps, id, "envelope.sent", who, {
      documents: await documentHashes(tx, id),
      recipients: rs.map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
    });
    const step = nextStep(rs);
    if (step.kind === "invite") await inviteRecipients(tx, deps, { ...row, status: "SENT" }, rs, step.recipientIds);
    return publicEnvelope(deps, await recordEnvelopeEventAndLoad(tx, deps, id, "envelope.sent"));
  }, { isolation: "read committed" });
}
