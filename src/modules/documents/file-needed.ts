import { and, eq, isNull, or, sql } from "drizzle-orm";
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
