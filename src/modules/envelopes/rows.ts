import { and, asc, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../../errors";
import type { Tx } from "../../store/db";
import { documents, envelopeDocuments, envelopes, envelopeTombstones, fields, recipients, type Environment } from "../../store/schema";

export type EnvelopeRow = typeof envelopes.$inferSelect;
export type RecipientRow = typeof recipients.$inferSelect;
export type FieldRow = typeof fields.$inferSelect;

/** The envelope's sender as the API shows it: both parts, or null. */
export const senderOf = (e: Pick<EnvelopeRow, "senderName" | "senderEmail">) =>
  e.senderName && e.senderEmail ? { name: e.senderName, email: e.senderEmail } : null;

/** The envelope `id` of `environment`; 404 if absent (or another environment's), 410 if purged. */
export function findEnvelopeRow(tx: Tx, environment: Environment, id: string): EnvelopeRow {
  const row = tx.select().from(envelopes).where(and(eq(envelopes.id, id), eq(envelopes.environment, environment))).get();
  if (row) return row;
  const purged = tx.select({ at: envelopeTombstones.purgedAt }).from(envelopeTombstones)
    .where(and(eq(envelopeTombstones.envelopeId, id), eq(envelopeTombstones.environment, environment))).get();
  if (purged) throw new AppError("envelope_purged", `Envelope ${id} was purged on ${purged.at.toISOString()}; only its tombstone remains`);
  throw notFound("Envelope", id);
}

/** Documents of an envelope, in order (deleted ones too: a finished envelope keeps its history). */
export function envelopeDocumentRows(tx: Tx, envelopeId: string) {
  return tx.select({
    id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256,
    pageCount: documents.pageCount, pages: documents.pages,
  }).from(envelopeDocuments).innerJoin(documents, eq(documents.id, envelopeDocuments.documentId))
    .where(eq(envelopeDocuments.envelopeId, envelopeId)).orderBy(asc(envelopeDocuments.position)).all();
}

export const recipientRows = (tx: Tx, envelopeId: string): RecipientRow[] =>
  tx.select().from(recipients).where(eq(recipients.envelopeId, envelopeId)).orderBy(asc(recipients.position)).all();

/** Fields in the order they were given (recipient by recipient). */
export const fieldRows = (tx: Tx, envelopeId: string, recipientId?: string): FieldRow[] =>
  tx.select().from(fields)
    .where(and(eq(fields.envelopeId, envelopeId), recipientId ? eq(fields.recipientId, recipientId) : undefined))
    .orderBy(sql`rowid`).all();

/** The documents' names and hashes, as audit events record them. */
export const documentHashes = (tx: Tx, envelopeId: string) =>
  envelopeDocumentRows(tx, envelopeId).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 }));
