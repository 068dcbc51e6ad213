/** What creating and updating a draft share: validation against the stored documents, and writing its parts. */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Clock } from "../../clock";
import { invalid } from "../../errors";
import { newId } from "../../ids";
import { idsParam, inIds, preparedPerSession, type Tx } from "../../store/db";
import { documents, envelopeDocuments, fields, recipients, type Environment } from "../../store/schema";
import { routingOrders, validateDraft, type DocumentFacts, type EnvelopeDraft, type RecipientDraft } from "./lifecycle";
import { fieldRows, recipientRows } from "./rows";

/** Creating an envelope is a hot write path: its statements are prepared once per session. */
const statements = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return {
    documentFacts: tx.select({ id: documents.id, pageCount: documents.pageCount, pages: documents.pages }).from(documents)
      .where(and(inIds(documents.id), eq(documents.environment, ph("environment") as any), isNull(documents.deletedAt))).prepare(),
    deleteFields: tx.delete(fields).where(eq(fields.envelopeId, ph("envelopeId"))).prepare(),
    deleteRecipients: tx.delete(recipients).where(eq(recipients.envelopeId, ph("envelopeId"))).prepare(),
    deleteDocuments: tx.delete(envelopeDocuments).where(eq(envelopeDocuments.envelopeId, ph("envelopeId"))).prepare(),
    insertDocument: tx.insert(envelopeDocuments).values({ envelopeId: ph("envelopeId"), documentId: ph("documentId"), position: ph("position") } as any).prepare(),
    insertRecipient: tx.insert(recipients).values({
      id: ph("id"), envelopeId: ph("envelopeId"), position: ph("position"), email: ph("email"), name: ph("name"), phone: ph("phone"),
      role: ph("role"), routingOrder: ph("routingOrder"), status: "PENDING",
    } as any).prepare(),
    insertField: tx.insert(fields).values({
      id: ph("id"), envelopeId: ph("envelopeId"), recipientId: ph("recipientId"), documentId: ph("documentId"), type: ph("type"),
      page: ph("page"), x: ph("x"), y: ph("y"), width: ph("width"), height: ph("height"), required: ph("required"), label: ph("label"),
    } as any).prepare(),
  };
});

function documentFacts(tx: Tx, environment: Environment, ids: string[]): Map<string, DocumentFacts & { id: string }> {
  if (!ids.length) return new Map();
  const rows = statements(tx).documentFacts.all({ ...idsParam([...new Set(ids)]), environment });
  return new Map(rows.map((r) => [r.id, r]));
}

/** 422 validation_failed with every broken rule, or nothing. */
export function assertValidDraft(tx: Tx, clock: Clock, environment: Environment, draft: EnvelopeDraft) {
  const errors = validateDraft(draft, documentFacts(tx, environment, draft.documentIds), clock.now());
  if (errors.length) throw invalid(errors, "The envelope is not valid");
}

/** Replaces an envelope's documents, recipients and fields. `keepIds` reuses recipient ids (PATCH without recipients). */
export function writeDraftParts(tx: Tx, envelopeId: string, draft: EnvelopeDraft, keepIds?: string[]) {
  const q = statements(tx);
  q.deleteFields.run({ envelopeId });
  q.deleteRecipients.run({ envelopeId });
  q.deleteDocuments.run({ envelopeId });
  draft.documentIds.forEach((documentId, position) => q.insertDocument.run({ envelopeId, documentId, position }));
  const orders = routingOrders(draft);
  draft.recipients.forEach((r, position) => {
    const id = keepIds?.[position] ?? newId("rcp");
    q.insertRecipient.run({
      id, envelopeId, position,
      email: r.email.trim(), name: r.name.trim(), phone: r.phone ?? null,
      role: r.role ?? "SIGNER", routingOrder: orders[position]!,
    });
    for (const f of r.fields ?? [])
      q.insertField.run({
        id: newId("fld"), envelopeId, recipientId: id, documentId: f.documentId, type: f.type,
        page: f.page, x: f.x, y: f.y, width: f.width, height: f.height, required: f.required ?? true, label: f.label ?? null,
      });
  });
}

/** The stored recipients as the draft they came from (for PATCH without recipients). */
export function storedRecipientDrafts(tx: Tx, envelopeId: string, withOrders: boolean): { drafts: RecipientDraft[]; ids: string[] } {
  const rs = recipientRows(tx, envelopeId);
  const fs = fieldRows(tx, envelopeId);
  return {
    ids: rs.map((r) => r.id),
    drafts: rs.map((r) => ({
      email: r.email, name: r.name, role: r.role,
      ...(r.phone ? { phone: r.phone } : {}),
      ...(withOrders ? { routingOrder: r.routingOrder } : {}),
      fields: fs.filter((f) => f.recipientId === r.id).map((f) => ({
        documentId: f.documentId, type: f.type, page: f.page, x: f.x, y: f.y, width: f.width, height: f.height,
        required: f.required, ...(f.label != null ? { label: f.label } : {}),
      })),
    })),
  };
}
