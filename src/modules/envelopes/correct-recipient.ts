import type { Static } from "@sinclair/typebox";
import type { Deps } from "../../deps";
import { AppError, invalid, notFound, type FieldError } from "../../errors";
import { mergeProblems } from "../../http/validate";
import { transaction } from "../../store/transaction";
import type { Environment } from "../../store/schema";
import type { ActorMeta } from "./actor";
import { isEmail } from "./draft-rules";
import type { CorrectRecipientBody } from "./model";
import { auditEnvelope } from "./record-change";
import { replaceRecipientPerson } from "./replace-recipient-person";
import { findEnvelopeRow, recipientRows } from "./rows";
import { loadEnvelopeView, type EnvelopeView } from "./view";

export interface CorrectRecipientInput {
  environment: Environment;
  who: ActorMeta;
  envelopeId: string;
  recipientId: string;
  correction: Static<typeof CorrectRecipientBody>;
  shapeErrors?: FieldError[];
}

/**
 * PATCH /envelopes/{id}/recipients/{recipientId} on a SENT envelope, for a recipient who has not
 * signed or declined: new name, e-mail or phone. The recipient gets a new signing link (the old
 * one answers 404 at once) and, if already invited, the invitation again; audited with the
 * values before and after. A correction that changes nothing changes nothing (same link).
 */
export async function correctRecipient(deps: Deps, { environment, who, envelopeId, recipientId, correction: c, shapeErrors = [] }: CorrectRecipientInput): Promise<EnvelopeView> {
  return transaction(deps.db, async (tx) => {
    const envelope = await findEnvelopeRow(tx, environment, envelopeId);
    const all = await recipientRows(tx, envelopeId);
    const r = all.find((x) => x.id === recipientId);
    if (!r) throw notFound("Recipient", `${recipientId} in envelope ${envelopeId}`);
    if (envelope.status === "DRAFT") throw new AppError("envelope_not_sent", `Envelope ${envelopeId} is a DRAFT: change its recipients with PATCH /api/v1/envelopes/${envelopeId}`);
    if (envelope.status !== "SENT") throw new AppError("envelope_ended", `Envelope ${envelopeId} is already ${envelope.status}`);
    if (r.status === "SIGNED" || r.status === "DECLINED")
      throw new AppError("signing_already_done", `Recipient ${recipientId} has already ${r.status === "SIGNED" ? "signed" : "declined"}: it can no longer be corrected`);

    const errors = mergeProblems(shapeErrors, () => {
      const found: FieldError[] = [];
      if (c.email !== undefined) {
        const email = c.email.trim();
        if (!isEmail(email)) found.push({ pointer: "/email", message: `"${c.email}" is not a valid e-mail address` });
        else if (all.some((x) => x.id !== r.id && x.email.toLowerCase() === email.toLowerCase()))
          found.push({ pointer: "/email", message: "another recipient of this envelope has this e-mail address" });
      }
      if (c.name !== undefined && !c.name.trim()) found.push({ pointer: "/name", message: "must not be blank" });
      // As when the envelope was made (validateDraft): without a phone no code could reach them.
      if (c.phone === null && r.authMethod === "sms_otp") found.push({ pointer: "/phone", message: "sms_otp sends the code by SMS: the recipient needs a phone" });
      return found;
    });
    if (errors.length) throw invalid(errors, "The correction is not valid");

    const next = { email: c.email?.trim() ?? r.email, name: c.name?.trim() ?? r.name, phone: c.phone !== undefined ? c.phone : r.phone };
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== r[k]);
    if (!changed.length) return (await loadEnvelopeView(tx, deps, envelopeId))!;

    const invited = await replaceRecipientPerson(tx, deps, r, next);
    await auditEnvelope(tx, deps, envelopeId, "recipient.corrected", who, {
      recipientId: r.id,
      changes: Object.fromEntries(changed.map((k) => [k, { from: r[k], to: next[k] }])),
      newLink: true,
      invitationResent: invited,
    });
    return (await loadEnvelopeView(tx, deps, envelopeId))!;
  });
}
