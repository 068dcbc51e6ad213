import { and, asc, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../../errors";
import type { Tx } from "../../store/db";
import { firstRow, idsParam, inIds, lockingRows } from "../../store/portable-sql";
import { preparedPerSession } from "../../store/prepared";
import { preparedUpdate } from "../../store/update-rows";
import { documents, envelopeDocuments, envelopes, envelopeTombstones, fields, recipients, type Environment } from "../../store/schema";

export type EnvelopeRow = typeof envelopes.$inferSelect;
export type RecipientRow = typeof recipients.$inferSelect;
export type FieldRow = typeof fields.$inferSelect;

/**
 * The parts of envelopes, for any number of them in one statement each (a list page costs the
 * same few queries as one envelope), prepared once (store/prepared.ts).
 */
const statements = preparedPerSession((tx) => ({
  byId: tx.select().from(envelopes).where(eq(envelopes.id, sql.placeholder("id"))).prepare(),
  byIds: tx.select().from(envelopes).where(inIds(tx, envelopes.id)).prepare(),
  revision: tx.select({ id: envelopes.id, revision: envelopes.revision }).from(envelopes)
    .where(and(eq(envelopes.id, sql.placeholder("id")), eq(envelopes.environment, sql.placeholder("environment") as any))).prepare(),
  envelope: tx.select().from(envelopes)
    .where(and(eq(envelopes.id, sql.placeholder("id")), eq(envelopes.environment, sql.placeholder("environment") as any))).prepare(),
  lockedById: lockingRows(tx, tx.select().from(envelopes).where(eq(envelopes.id, sql.placeholder("id")))).prepare(),
  lockedEnvelope: lockingRows(tx, tx.select().from(envelopes)
    .where(and(eq(envelopes.id, sql.placeholder("id")), eq(envelopes.environment, sql.placeholder("environment") as any)))).prepare(),
  // Deleted documents too: a finished envelope keeps its history.
  documents: tx.select({
    envelopeId: envelopeDocuments.envelopeId, id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256,
    pageCount: documents.pageCount, pages: documents.pages,
  }).from(envelopeDocuments).innerJoin(documents, eq(documents.id, envelopeDocuments.documentId))
    .where(inIds(tx, envelopeDocuments.envelopeId)).orderBy(asc(envelopeDocuments.envelopeId), asc(envelopeDocuments.position)).prepare(),
  recipients: tx.select().from(recipients).where(inIds(tx, recipients.envelopeId)).orderBy(asc(recipients.envelopeId), asc(recipients.position)).prepare(),
  // Fields in the order they were given (recipient by recipient).
  fields: tx.select().from(fields).where(inIds(tx, fields.envelopeId)).orderBy(asc(fields.envelopeId), asc(fields.position)).prepare(),
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
export const envelopeRow = async (tx: Tx, id: string): Promise<EnvelopeRow | undefined> => (await statements(tx).byId.execute({ id }))[0];

/**
 * The envelope `id`, locked until the transaction ends (PostgreSQL: FOR UPDATE; see lockingRows):
 * every change of an envelope or of its rows (recipients, fields, documents, audit events) updates
 * this row, through triggers when not directly, so a read-committed transaction that takes it
 * first runs after any other writer of the envelope and its later reads see what that one
 * committed. The row returned is the latest committed.
 */
export const lockedEnvelopeRow = async (tx: Tx, id: string): Promise<EnvelopeRow | undefined> => (await statements(tx).lockedById.execute({ id }))[0];

/** The envelope `id` of `environment`, its id and revision only (what finding its cached view needs); undefined if absent. */
export const envelopeRevision = async (tx: Tx, environment: Environment, id: string): Promise<Pick<EnvelopeRow, "id" | "revision"> | undefined> =>
  (await statements(tx).revision.execute({ id, environment }))[0];

/** The envelopes among `ids` that exist, whatever their environment, in no particular order. */
export const envelopeRows = async (tx: Tx, ids: readonly string[]): Promise<EnvelopeRow[]> => statements(tx).byIds.execute(idsParam(ids));

/** The envelope's sender as the API shows it: both parts, or null. */
export const senderOf = (e: Pick<EnvelopeRow, "senderName" | "senderEmail">) =>
  e.senderName && e.senderEmail ? { name: e.senderName, email: e.senderEmail } : null;

/**
 * The envelope `id` of `environment`; 404 if absent (or another environment's), 410 if purged.
 * `lock`: locked as lockedEnvelopeRow does.
 */
export async function findEnvelopeRow(tx: Tx, environment: Environment, id: string, { lock = false } = {}): Promise<EnvelopeRow> {
  const q = statements(tx);
  const [row] = await (lock ? q.lockedEnvelope : q.envelope).execute({ id, environment });
  if (row) return row;
  const purged = await firstRow(tx.select({ at: envelopeTombstones.purgedAt }).from(envelopeTombstones)
    .where(and(eq(envelopeTombstones.envelopeId, id), eq(envelopeTombstones.environment, environment))));
  if (purged) throw new AppError("envelope_purged", `Envelope ${id} was purged on ${purged.at.toISOString()}; only its tombstone remains`);
  throw notFound("Envelope", id);
}

/** Documents of each envelope, in order. */
export async function documentsByEnvelope(tx: Tx, ids: readonly string[]) {
  return byEnvelope(await statements(tx).documents.execute(idsParam(ids)));
}

export async function recipientsByEnvelope(tx: Tx, ids: readonly string[]): Promise<Map<string, RecipientRow[]>> {
  return byEnvelope(await statements(tx).recipients.execute(idsParam(ids)));
}

export async function fieldsByEnvelope(tx: Tx, ids: readonly string[]): Promise<Map<string, FieldRow[]>> {
  return byEnvelope(await statements(tx).fields.execute(idsParam(ids)));
}

export type EnvelopeDocumentRow = Awaited<ReturnType<typeof documentsByEnvelope>> extends Map<string, (infer R)[]> ? R : never;

/** Documents of an envelope, in order (deleted ones too: a finished envelope keeps its history). */
export const envelopeDocumentRows = async (tx: Tx, envelopeId: string): Promise<EnvelopeDocumentRow[]> => (await documentsByEnvelope(tx, [envelopeId])).get(envelopeId) ?? [];

export const recipientRows = async (tx: Tx, envelopeId: string): Promise<RecipientRow[]> => (await recipientsByEnvelope(tx, [envelopeId])).get(envelopeId) ?? [];

/** Fields in the order they were given (recipient by recipient). */
export const fieldRows = async (tx: Tx, envelopeId: string, recipientId?: string): Promise<FieldRow[]> => {
  const all = (await fieldsByEnvelope(tx, [envelopeId])).get(envelopeId) ?? [];
  return recipientId ? all.filter((f) => f.recipientId === recipientId) : all;
};

/** Sets the values given on recipient `id`'s row. */
export const updateRecipient = preparedUpdate(recipients, eq(recipients.id, sql.placeholder("id")));

/** The documents' names and hashes, as audit events record them. */
export const documentHashes = async (tx: Tx, envelopeId: string) =>
  (await envelopeDocumentRows(tx, envelopeId)).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 }));
