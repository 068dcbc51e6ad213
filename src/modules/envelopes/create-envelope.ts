import type { Deps } from "../../deps";
import { newId } from "../../ids";
import { transaction } from "../../store/transaction";
import { insertRowsReturning } from "../../store/insert-rows";
import { envelopes, type Environment } from "../../store/schema";
import { auditSummary, CHAIN_START, chainedEvent, insertEvent } from "../audit/service";
import type { ActorMeta } from "./actor";
import { assertValidDraft, hashAccessCodes, newRecipientRows, writeDraftParts, type FoundProblems } from "./draft";
import type { EnvelopeDraft } from "./draft-rules";
import { recordEnvelopeEventOf } from "./record-change";
import type { EnvelopeDocumentRow } from "./rows";
import { publicEnvelope, type EnvelopeView } from "./view";
import { originOf } from "./signing-page-urls";

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
 * POST /envelopes: a validated DRAFT, audited, with an envelope.created event. The answer (and
 * the event) is made from the rows as written, not read back.
 * On PostgreSQL in read committed: a creation writes only new rows, and the documents it links
 * are held FOR SHARE (documentFacts), which is all a concurrent deletion needs. Serializable,
 * two creations at once conflicted nearly every time (the foreign-key checks of the new rows
 * read the page of the primary key that the other creation's envelope goes into).
 */
export async function createEnvelope(deps: Deps, { environment, who, draft: given, found, templateId, batch }: CreateEnvelopeInput): Promise<EnvelopeView> {
  const draft = { ...given, recipients: await hashAccessCodes(given.recipients) };
  return transaction(deps.db, async (tx) => {
    const documents = await assertValidDraft(tx, deps.clock, environment, draft, found);
    const now = deps.clock.now();
    const id = newId("env");
    const people = newRecipientRows(id, draft);
    const docs: EnvelopeDocumentRow[] = draft.documentIds.map((d) => {
      const { name, size, sha256, pageCount, pages } = documents.get(d)!;
      return { envelopeId: id, id: d, name, size, sha256, pageCount, pages };
    });
    // The first event is made before the envelope's row, which is written with its head and at
    // revision 1 (what it is once created): nothing updates the row after (see insertEvent).
    const event = chainedEvent(CHAIN_START, now, {
      envelopeId: id, type: "envelope.created", actor: who.actor, ip: who.ip, userAgent: who.userAgent,
      data: {
        subject: draft.subject,
        documents: docs.map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 })),
        recipients: people.map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
      },
    });
    const [envelope] = await insertRowsReturning(tx, envelopes, [{
      id, environment, subject: draft.subject, message: draft.message ?? null, status: "DRAFT",
      locale: draft.locale ?? null, notifyBySms: draft.notifyBySms ?? false, allowReassign: draft.allowReassign ?? false,
      senderName: draft.sender?.name.trim() ?? null, senderEmail: draft.sender?.email.trim() ?? null,
      allowedOrigins: draft.embedding?.allowedOrigins.map((o) => originOf(o) ?? o) ?? [], redirectUrl: draft.redirectUrl ?? null,
      expiresAt: draft.expiresAt ? new Date(draft.expiresAt) : null,
      reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata ?? {}, prefill: draft.prefill ?? {}, templateId: templateId ?? null,
      batchId: batch?.id ?? null, batchRow: batch?.row ?? null, createdAt: now, updatedAt: now,
      auditSeq: event.row.seq, auditHead: event.row.hash, revision: 1,
    }]);
    const written = await writeDraftParts(tx, id, draft, documents, { replacing: false, people });
    await insertEvent(tx, event);
    return publicEnvelope(deps, await recordEnvelopeEventOf(tx, deps, {
      envelope: envelope!, documents: docs, recipients: written.recipients, fields: written.fields,
      audit: auditSummary(envelope!, [event.row]),
      // Nobody has been invited yet.
      delivery: new Map(),
    }, "envelope.created"));
  }, { isolation: "read committed" });
}
