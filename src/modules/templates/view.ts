import type { Tx } from "../../store/db";
import { templateDocumentRows, type TemplateRow } from "./rows";

/** A template as the API shows it: its documents with their tags, roles, fields and defaults. */
export async function templateView(tx: Tx, row: TemplateRow) {
  return {
    id: row.id,
    name: row.name,
    subject: row.subject,
    message: row.message,
    locale: row.locale,
    documents: await templateDocumentRows(tx, row),
    roles: row.roles,
    fields: row.fields,
    expiresInDays: row.expiresInDays,
    reminderIntervalHours: row.reminderIntervalHours,
    notifyBySms: row.notifyBySms,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type TemplateView = Awaited<ReturnType<typeof templateView>>;
