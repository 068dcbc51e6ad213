import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { openUnlessGone, type StoredBody } from "../../store/files";
import { AppError, notFound } from "../../errors";
import { newId } from "../../ids";
import { affectedRows, firstRow, jsonArrayHas } from "../../store/portable-sql";
import { insertRows } from "../../store/insert-rows";
import { preparedPerDb } from "../../store/prepared";
import { keepBlob, removeBlobUnlessNeeded } from "../../store/blob-lock";
import { transaction } from "../../store/transaction";
import { cacheGeneration } from "../../store/cache-generations";
import { documents, envelopeDocuments, envelopes, templates, type Environment } from "../../store/schema";
import { definePager } from "../../store/paginate";
import { fileNeeded } from "./file-needed";

export type DocumentRow = typeof documents.$inferSelect;

export const publicDocument = (d: DocumentRow) => ({
  id: d.id,
  name: d.name,
  size: d.size,
  sha256: d.sha256,
  pageCount: d.pageCount,
  pages: d.pages,
  tags: d.tags,
  formFields: d.formFields,
  createdAt: d.createdAt.toISOString(),
});

/** Control characters, and the bidirectional controls that make "evil\u202Efdp.exe" display as "evilexe.pdf". */
const UNSAFE_IN_NAMES = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
export const MAX_NAME_LENGTH = 255;

/**
 * A document's name as shown to signers and written in Content-Disposition: without control
 * or bidi-control characters, at most 255 characters (the extension kept), never empty.
 */
export function documentName(raw: string): string {
  const clean = raw.replace(UNSAFE_IN_NAMES, "").trim();
  if (!clean) return "document.pdf";
  const chars = [...clean];
  if (chars.length <= MAX_NAME_LENGTH) return clean;
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(clean)?.[0] ?? "";
  return chars.slice(0, MAX_NAME_LENGTH - ext.length).join("") + ext;
}

export async function uploadDocument(deps: Deps, environment: Environment, input: { name: string; bytes: Uint8Array }): Promise<DocumentRow> {
  const max = deps.config.maxUploadMb * 1024 * 1024;
  if (input.bytes.length > max)
    throw new AppError("payload_too_large", `The PDF is ${input.bytes.length} bytes; the limit is ${deps.config.maxUploadMb} MiB`);
  if (input.bytes.length === 0) throw new AppError("pdf_invalid", "The file is empty");
  // Handed over to the worker and back: the caller's `input.bytes` is empty afterwards.
  const { facts, sha256, bytes } = await deps.pdf.handOver("checkAndHashUpload", input.bytes);
  const row: DocumentRow = {
    id: newId("doc"),
    environment,
    name: documentName(input.name),
    size: bytes.length,
    sha256,
    pageCount: facts.pageCount,
    pages: facts.pages,
    tags: facts.tags,
    formFields: facts.formFields,
    createdAt: deps.clock.now(),
    deletedAt: null,
  };
  await keepBlob(deps.db, deps.files, sha256, bytes, (tx) => insertRows(tx, documents, [row]));
  deps.log.info("document uploaded", { documentId: row.id, environment, size: row.size, sha256 });
  return row;
}

/** The hot read (every GET /documents/{id} the cache below misses), prepared once per database. */
const liveDocument = preparedPerDb((db) =>
  db.select().from(documents)
    .where(and(eq(documents.id, sql.placeholder("id")), eq(documents.environment, sql.placeholder("environment") as any), isNull(documents.deletedAt))).prepare());

/** A cached live document: its row, and its API view as sent (JSON, UTF-8), made on its first GET. */
interface CachedDocument { row: DocumentRow; json?: Blob }

/**
 * Live documents by id (ids are unique across environments; an entry serves only its own), dropped
 * whenever a document changes (cacheGeneration): a read of an unchanged document costs no SQLite
 * lock, and a GET of it no encoding. Bounded: cleared whole when it grows past 10,000.
 */
const documentCache = preparedPerDb((db) => ({ entries: new Map<string, CachedDocument>(), generation: cacheGeneration(db, "documents"), seen: -1 }));

/** Drops a document from this process's cache at once (another module soft-deleted it). */
export const forgetCachedDocument = (deps: Pick<Deps, "db">, id: string) => documentCache(deps.db).entries.delete(id);

async function cachedDocument(deps: Deps, environment: Environment, id: string): Promise<CachedDocument> {
  const cache = documentCache(deps.db);
  const g = cache.generation();
  if (g !== cache.seen || cache.entries.size > 10_000) {
    cache.entries.clear();
    cache.seen = g;
  }
  const doc = cache.entries.get(id);
  if (doc?.row.environment === environment) return doc;
  const [row] = await liveDocument(deps.db).execute({ id, environment });
  if (!row) throw notFound("Document", id);
  const fresh = { row };
  cache.entries.set(id, fresh);
  return fresh;
}

export async function getDocument(deps: Deps, environment: Environment, id: string): Promise<DocumentRow> {
  return (await cachedDocument(deps, environment, id)).row;
}

/**
 * GET /documents/{id}: the document's view as JSON, encoded once per cached row (a Blob: sent
 * without a copy per request).
 */
export async function getDocumentJson(deps: Deps, environment: Environment, id: string): Promise<Blob> {
  const doc = await cachedDocument(deps, environment, id);
  return (doc.json ??= new Blob([JSON.stringify(publicDocument(doc.row))]));
}

const documentPages = definePager(documents, { owner: documents.environment, where: isNull(documents.deletedAt) });

/** The uploaded file of a live document, unread, with its name (GET /documents/{id}/content). */
export async function documentContent(deps: Deps, environment: Environment, id: string): Promise<{ name: string; file: StoredBody }> {
  // From the database, not the cache: another node may have just deleted it (and its file),
  // before its notification reached this one.
  const live = async () => {
    const [doc] = await liveDocument(deps.db).execute({ id, environment });
    if (!doc) throw notFound("Document", id);
    return doc;
  };
  const doc = await live();
  return { name: doc.name, file: await openUnlessGone(deps.files, doc.sha256, doc.size, live) };
}

export function listDocuments(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string }) {
  return documentPages.page(deps.db, { owner: environment, ...q });
}

/** How many of the envelopes that use a document a refused deletion names. */
const NAMED_USES = 3;

/** "Document … is used by envelope(s) …": at most NAMED_USES, each with its status. */
function inUseMessage(id: string, uses: { id: string; status: string }[]): string {
  const named = uses.slice(0, NAMED_USES).map((u) => `${u.id} (${u.status})`).join(", ");
  const one = uses.length === 1;
  return `Document ${id} is used by ${one ? "envelope" : "envelopes"} ${named}${uses.length > NAMED_USES ? " and others" : ""}; void or delete ${one ? "it" : "them"} first`;
}

/**
 * Refused while a draft or sent envelope uses the document. The row is kept (soft delete)
 * because finished envelopes still name it in their history; the bytes go once nothing needs them.
 */
export async function deleteDocument(deps: Deps, environment: Environment, id: string): Promise<DocumentRow> {
  const doc = await getDocument(deps, environment, id);
  const deletedAt = deps.clock.now();
  // The row is marked first, then the uses are checked (a throw undoes the mark). On PostgreSQL,
  // read committed: the mark waits for the transactions that hold the row FOR SHARE while they
  // link it (documentFacts), and each check then sees what they committed; a link that comes
  // after the mark finds the document deleted. SQLite: one writer, the order does not matter.
  const bytesNeeded = await transaction(deps.db, async (tx) => {
    if (!affectedRows(await tx.update(documents).set({ deletedAt }).where(and(eq(documents.id, id), isNull(documents.deletedAt)))))
      throw notFound("Document", id);
    // A few named are enough to act on: a document may be in thousands of drafts.
    const active = await tx.select({ id: envelopes.id, status: envelopes.status }).from(envelopeDocuments)
      .innerJoin(envelopes, eq(envelopes.id, envelopeDocuments.envelopeId))
      .where(and(eq(envelopeDocuments.documentId, id), inArray(envelopes.status, ["DRAFT", "SENT"]))).limit(NAMED_USES + 1);
    if (active.length) throw new AppError("document_in_use", inUseMessage(id, active));
    const template = await firstRow(tx.select({ id: templates.id }).from(templates)
      .where(and(eq(templates.environment, environment), jsonArrayHas(tx, templates.documentIds, id))).limit(1));
    if (template) throw new AppError("document_in_use", `Document ${id} is used by template ${template.id}; change or delete the template first`);
    return fileNeeded(tx, doc.sha256);
  }, { isolation: "read committed" });
  forgetCachedDocument(deps, id);
  // Asked again, alone against an upload of the same bytes that may have come since.
  if (!bytesNeeded) await removeBlobUnlessNeeded(deps.db, deps.files, doc.sha256, (tx) => fileNeeded(tx, doc.sha256));
  return { ...doc, deletedAt };
}

