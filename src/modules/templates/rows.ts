import { and, eq, inArray } from "drizzle-orm";
import { notFound } from "../../errors";
import type { Tx } from "../../store/db";
import { firstRow } from "../../store/portable-sql";
import { documents, templates, type Environment } from "../../store/schema";

export type TemplateRow = typeof templates.$inferSelect;

/** The template `id` of `environment`; 404 if absent (or another environment's). */
export async function findTemplateRow(tx: Tx, environment: Environment, id: string): Promise<TemplateRow> {
  const row = await firstRow(tx.select().from(templates).where(and(eq(templates.id, id), eq(templates.environment, environment))));
  if (!row) throw notFound("Template", id);
  return row;
}

/** The template's documents in its order, with their text tags. */
export async function templateDocumentRows(tx: Tx, row: TemplateRow) {
  const found = await tx.select({
    id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256,
    pageCount: documents.pageCount, pages: documents.pages, tags: documents.tags,
  }).from(documents).where(inArray(documents.id, row.documentIds));
  return row.documentIds.flatMap((id) => found.filter((d) => d.id === id));
}
