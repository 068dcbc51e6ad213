import { and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "../../store/db";
import { firstRow } from "../../store/portable-sql";
import { documents, envelopeDocuments, envelopes, recipients } from "../../store/schema";

/**
 * Whether any row still needs the stored file `sha`: a live document, a document any envelope
 * names (even a finished one, whose seal may be pending or redone), a sealed PDF, a drawn
 * signature. A file nothing needs is removed (store/blob-lock.ts).
 */
export async function fileNeeded(tx: Tx, sha: string): Promise<boolean> {
  return !!(
    (await firstRow(tx.select({ id: documents.id }).from(documents).leftJoin(envelopeDocuments, eq(envelopeDocuments.documentId, documents.id))
      .where(and(eq(documents.sha256, sha), or(isNull(documents.deletedAt), sql`${envelopeDocuments.envelopeId} IS NOT NULL`))).limit(1))) ??
    (await firstRow(tx.select({ id: envelopes.id }).from(envelopes).where(eq(envelopes.sealedSha256, sha)).limit(1))) ??
    (await firstRow(tx.select({ id: envelopeDocuments.envelopeId }).from(envelopeDocuments).where(eq(envelopeDocuments.sealedSha256, sha)).limit(1))) ??
    (await firstRow(tx.select({ id: recipients.id }).from(recipients).where(eq(recipients.signatureImageSha256, sha)).limit(1)))
  );
}

/** Every stored file the rows still need, by the rule of fileNeeded: what a backup must hold. */
export async function filesNeeded(tx: Tx): Promise<Set<string>> {
  const named = tx.select({ id: envelopeDocuments.documentId }).from(envelopeDocuments);
  const lists = await Promise.all([
    tx.select({ sha: documents.sha256 }).from(documents).where(or(isNull(documents.deletedAt), inArray(documents.id, named))),
    tx.select({ sha: envelopes.sealedSha256 }).from(envelopes).where(isNotNull(envelopes.sealedSha256)),
    tx.select({ sha: envelopeDocuments.sealedSha256 }).from(envelopeDocuments).where(isNotNull(envelopeDocuments.sealedSha256)),
    tx.select({ sha: recipients.signatureImageSha256 }).from(recipients).where(isNotNull(recipients.signatureImageSha256)),
  ]);
  return new Set(lists.flat().map((r) => r.sha!));
}

