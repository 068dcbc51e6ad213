import { and, asc, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../../errors";
import { idsParam, inIds, preparedPerSession, type Tx } from "../../store/db";
import { documents, envelopeDocuments, envelopes, envelopeTombstones, fields, recipients, type Environment } from "../../store/schema";

export type EnvelopeRow = typeof envelopes.$inferSelect;
export type RecipientRow = typeof recipients.$inferSelect;
export type FieldRow = typeof fields.$inferSelect;

/**
 * The parts of envelopes, for any number of them in one statement each (a list page costs the
 * same few queries as one envelope), prepared once per session.
 */
const statements = preparedPerSession((tx) => ({
  byId: tx.select().from(envelopes).where(eq(envelopes.id, sql.placeholder("id"))).prepare(),
  envelope: tx.select().from(envelopes)
    .where(and(eq(envelopes.id, sql.placeholder("id")), eq(envelopes.environment, sql.placeholder("environment") as any))).prepare(),
  // Deleted documents too: a finished envelope keeps its history.
  documents: tx.select({
    envelopeId: envelopeDocuments.envelopeId, id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256,
    pageCount: documents.pageCount, pages: documents.pages,
  }).from(envelopeDocuments).innerJoin(documents, eq(documents.id, envelopeDocuments.documentId))
    .where(inIds(envelopeDocuments.envelopeId)).orderBy(asc(envelopeDocuments.envelopeId), asc(envelopeDocuments.position)).prepare(),
  recipients: tx.select().from(recipients).where(inIds(recipients.envelopeId)).orderBy(asc(recipients.envelopeId), asc(recipients.position)).prepare(),
  // Fields in the order they were given (recipient by recipient).
  fields: tx.select().from(fields).where(inIds(fields.envelopeId)).orderBy(asc(fields.envelopeId), asc(fields.position)).prepare(),
}));

/** Rows grouped by envelope id, in the order the statement gave them. */
function byEnvelope<R extends { envelopeId: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) {
    const list = out.get(row.envelopeId);
    if (list) list.push(row);
    else out.set(row.envelopeId, [row]);
  }
  return out;
}

/** The envelope `id`, whatever its environment (for work that already holds a checked id). */
export const envelopeRow = (tx: Tx, id: string): EnvelopeRow | undefined => statements(tx).byId.get({ id });

/** The envelope's sender as the API shows it: both parts, or null. */
export const senderOf = (e: Pick<EnvelopeRow, "senderName" | "senderEmail">) =>
  e.senderName && e.senderEmail ? { name: e.senderName, email: e.senderEmail } : null;

/** The envelope `id` of `environment`; 404 if absent (or another environment's), 410 if purged. */
export function findEnvelopeRow(tx: Tx, environment: Environment, id: string): EnvelopeRow {
  const row = statements(tx).envelope.get({ id, environment });
  if (row) return row;
  const purged = tx.select({ at: envelopeTombstones.purgedAt }).from(envelopeTombstones)
    .where(and(eq(envelopeTombstones.envelopeId, id), eq(envelopeTombstones.environment, environment))).get();
  if (purged) throw new AppError("envelope_purged", `Envelope ${id} was purged on ${purged.at.toISOString()}; only its tombstone remains`);
  throw notFound("Envelope", id);
}

/** Documents of each envelope, in order. */
export function documentsByEnvelope(tx: Tx, ids: readonly string[]) {
  return byEnvelope(statements(tx).documents.all(idsParam(ids)));
}

export function recipientsByEnvelope(tx: Tx, ids: readonly string[]): Map<string, RecipientRow[]> {
  return byEnvelope(statements(tx).recipients.all(idsParam(ids)));
}

export function fieldsByEnvelope(tx: Tx, ids: readonly string[]): Map<string, FieldRow[]> {
  return byEnvelope(statements(tx).fields.all(idsParam(ids)));
}

export type EnvelopeDocumentRow = ReturnType<typeof documentsByEnvelope> extends Map<string, (infer R)[]> ? R : never;

/** Documents of an envelope, in order (deleted ones too: a finished envelope keeps its history). */
export const envelopeDocumentRows = (tx: Tx, envelopeId: string): EnvelopeDocumentRow[] => documentsByEnvelope(tx, [envelopeId]).get(envelopeId) ?? [];

export const recipientRows = (tx: Tx, envelopeId: string): RecipientRow[] => recipientsByEnvelope(tx, [envelopeId]).get(envelopeId) ?? [];

/** Fields in the order they were given (recipient by recipient). */
export const fieldRows = (tx: Tx, envelopeId: string, recipientId?: string): FieldRow[] => {
  const all = fieldsByEnvelope(tx, [envelopeId]).get(envelopeId) ?? [];
  return recipientId ? all.filter((f) => f.recipientId === recipientId) : all;
};

/** The documents' names and hashes, as audit events record them. */
export const documentHashes = (tx: Tx, envelopeId: string) =>
  envelopeDocumentRows(tx, envelopeId).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 }));
