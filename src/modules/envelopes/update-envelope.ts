import { eq } from "drizzle-orm";
import type { Static } from "@sinclair/typebox";
import { isoOrNull } from "../../clock";
import type { Deps } from "../../deps";
import { AppError, type FieldError } from "../../errors";
import { transaction } from "../../store/transaction";
import { envelopes, type Environment } from "../../store/schema";
import type { ActorMeta } from "./actor";
import { assertValidDraft, hashAccessCodes, newRecipientRows, storedRecipientDrafts, writeDraftParts } from "./draft";
import type { EnvelopeDraft } from "./draft-rules";
import type { UpdateEnvelopeBody } from "./model";
import { auditEnvelope } from "./record-change";
import { envelopeDocumentRows, findEnvelopeRow, senderOf } from "./rows";
import { loadEnvelopeView, type EnvelopeView } from "./view";
import { originOf } from "./signing-page-urls";

/** The PATCH body: only the members given change. */
export type EnvelopePatch = Static<typeof UpdateEnvelopeBody>;

export interface UpdateEnvelopeInput {
  environment: Environment;
  who: ActorMeta;
  envelopeId: string;
  patch: EnvelopePatch;
  /** Schema errors of the request, reported with the rules' findings in one answer. */
  shapeErrors?: FieldError[];
}

/** PATCH /envelopes/{id}: updates a DRAFT (409 envelope_not_draft otherwise); the result is validated as a whole. */
export async function updateEnvelope(deps: Deps, { environment, who, envelopeId: id, patch, shapeErrors }: UpdateEnvelopeInput): Promise<EnvelopeView> {
  const recipients = patch.recipients && await hashAccessCodes(patch.recipients);
  return transaction(deps.db, async (tx) => {
    const row = await findEnvelopeRow(tx, environment, id);
    if (row.status !== "DRAFT") throw new AppError("envelope_not_draft", `Envelope ${id} is ${row.status}: only a DRAFT can be changed`);
    const reshapes = patch.documentIds !== undefined || patch.recipients !== undefined || patch.signingOrder !== undefined || patch.prefill !== undefined;
    const current = await storedRecipientDrafts(tx, id, patch.signingOrder === undefined);
    const draft: EnvelopeDraft = {
      subject: patch.subject ?? row.subject,
      message: patch.message !== undefined ? patch.message : row.message,
      documentIds: patch.documentIds ?? (await envelopeDocumentRows(tx, id)).map((d) => d.id),
      recipients: recipients ?? current.drafts,
      signingOrder: patch.signingOrder,
      locale: patch.locale !== undefined ? patch.locale : row.locale,
      sender: patch.sender !== undefined ? patch.sender : senderOf(row),
      embedding: patch.embedding !== undefined ? patch.embedding : { allowedOrigins: row.allowedOrigins },
      redirectUrl: patch.redirectUrl !== undefined ? patch.redirectUrl : row.redirectUrl,
      expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : isoOrNull(row.expiresAt),
      reminderIntervalHours: patch.reminderIntervalHours !== undefined ? patch.reminderIntervalHours : row.reminderIntervalHours,
      notifyBySms: patch.notifyBySms ?? row.notifyBySms,
      allowReassign: patch.allowReassign ?? row.allowReassign,
      metadata: patch.metadata ?? row.metadata,
      prefill: patch.prefill ?? row.prefill,
    };
    const documents = await assertValidDraft(tx, deps.clock, environment, draft, { shapeErrors });
    await tx.update(envelopes).set({
      subject: draft.subject, message: draft.message ?? null, locale: draft.locale ?? null, notifyBySms: draft.notifyBySms, allowReassign: draft.allowReassign,
      senderName: draft.sender?.name.trim() ?? null, senderEmail: draft.sender?.email.trim() ?? null,
      allowedOrigins: draft.embedding?.allowedOrigins.map((o) => originOf(o) ?? o) ?? [], redirectUrl: draft.redirectUrl ?? null,
      expiresAt: draft.expiresAt ? new Date(draft.expiresAt) : null, reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata, prefill: draft.prefill ?? {}, updatedAt: deps.clock.now(),
    }).where(eq(envelopes.id, id));
    if (reshapes) await writeDraftParts(tx, id, draft, documents, { replacing: true, people: patch.recipients ? undefined : newRecipientRows(id, draft, current.ids) });
    await auditEnvelope(tx, deps, id, "envelope.updated", who, { changed: Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k).sort() });
    return (await loadEnvelopeView(tx, deps, id))!;
  });
}
