import type { Deps } from "../../deps";
import { newId } from "../../ids";
import { insertRows, transaction } from "../../store/db";
import { envelopes, type Environment } from "../../store/schema";
import type { ActorMeta } from "./actor";
import { assertValidDraft, writeDraftParts, type FoundProblems } from "./draft";
import type { EnvelopeDraft } from "./lifecycle";
import { auditEnvelope, recordEnvelopeEventAndLoad } from "./record-change";
import { publicEnvelope, type EnvelopeView } from "./view";

export interface CreateEnvelopeInput {
  environment: Environment;
  who: ActorMeta;
  draft: EnvelopeDraft;
  /** Problems found in the request, reported with the rules' findings in one answer. */
  found?: FoundProblems;
  /** The template the draft was made from (create-envelope-from-template.ts). */
  templateId?: string;
  /** The bulk send row that makes it (batches/send-batch-row.ts). */
  batch?: { id: string; row: number };
}

/**
 * POST /envelopes: a validated DRAFT, audited, with an envelope.created event.
 * On PostgreSQL in read committed: a creation writes only new rows, and the documents it links
 * are held FOR SHARE (documentFacts), which is all a concurrent deletion needs. Serializable,
 * two creations at once conflicted nearly every time (the foreign-key checks of the new rows
 * read the page of the primary key that the other creation's envelope goes into).
 */
export async function createEnvelope(deps: Deps, { environment, who, draft, found, templateId, batch }: CreateEnvelopeInput): Promise<EnvelopeView> {
  return transaction(deps.db, async (tx) => {
    const documents = await assertValidDraft(tx, deps.clock, environment, draft, found);
    const now = deps.clock.now();
    const id = newId("env");
    await insertRows(tx, envelopes, [{
      id, environment, subject: draft.subject, message: draft.message ?? null, status: "DRAFT",
      locale: draft.locale ?? null, notifyBySms: draft.notifyBySms ?? false, allowReassign: draft.allowReassign ?? false,
      senderName: draft.sender?.name.trim() ?? null, senderEmail: draft.sender?.email.trim() ?? null,
      allowedOrigins: draft.embedding?.allowedOrigins.map((o) => o.replace(/\/$/, "")) ?? [], redirectUrl: draft.redirectUrl ?? null,
      expiresAt: draft.expiresAt ? new Date(draft.expiresAt) : null,
      reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata ?? {}, prefill: draft.prefill ?? {}, templateId: templateId ?? null,
      batchId: batch?.id ?? null, batchRow: batch?.row ?? null, createdAt: now, updatedAt: now,
    }]);
    const people = await writeDraftParts(tx, id, draft, documents, { replacing: false });
    await auditEnvelope(tx, deps, id, "envelope.created", who, {
      subject: draft.subject,
      documents: draft.documentIds.map((d) => ({ id: d, name: documents.get(d)!.name, sha256: documents.get(d)!.sha256 })),
      recipients: people.map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
    });
    return publicEnvelope(deps, await recordEnvelopeEventAndLoad(tx, deps, id, "envelope.created"));
  }, { isolation: "read committed" });
}
