/**
 * The PostgreSQL tables, derived from the one schema (schema.ts) for drizzle-kit, which writes
 * the PostgreSQL migrations from them (drizzle.postgres.config.ts). The application itself
 * queries both dialects through schema.ts: the stored values are the same in both (times as
 * epoch milliseconds, booleans as 0/1, JSON as text), so rows copy verbatim between them.
 */
import { getTableColumns, is, SQL } from "drizzle-orm";
import {
  bigint, doublePrecision, index, integer, pgTable, primaryKey, smallint, text, uniqueIndex,
  type AnyPgColumn, type PgColumnBuilderBase, type PgTableWithColumns,
} from "drizzle-orm/pg-core";
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqlite from "./schema";

const derived = new Map<string, PgTableWithColumns<any>>();

/** The property name of each column of a table (drizzle keeps names by property). */
const keysOf = (table: SQLiteTable) => new Map(Object.entries(getTableColumns(table)).map(([k, c]) => [c as SQLiteColumn, k]));

const columnOfTwin = (table: SQLiteTable, column: SQLiteColumn): AnyPgColumn => pgTwin(table)[keysOf(table).get(column)!];

/** A stored default in the PostgreSQL column's representation. */
function defaultOf(column: SQLiteColumn): unknown {
  const value = column.default;
  if (is(value, SQL) || typeof value === "string" || typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return JSON.stringify(value);
}

/** A column's foreign key, as a lazy reference to the target twin (tables may refer forward). */
interface Reference { table: SQLiteTable; column: SQLiteColumn; onDelete?: "cascade" | "no action" | "restrict" | "set null" | "set default" }

function columnOf(column: SQLiteColumn, reference?: Reference): PgColumnBuilderBase {
  let builder: any;
  switch (column.columnType) {
    case "SQLiteText":
    case "SQLiteTextJson":
      builder = text(column.name);
      break;
    case "SQLiteInteger":
      builder = integer(column.name);
      break;
    case "SQLiteReal":
      builder = doublePrecision(column.name);
      break;
    case "SQLiteBoolean":
      builder = smallint(column.name);
      break;
    case "SQLiteCustomColumn": // schema.ts `time`: epoch milliseconds
      builder = bigint(column.name, { mode: "number" });
      break;
    default:
      throw new Error(`schema-pg: no PostgreSQL type for ${column.name} (${column.columnType})`);
  }
  if (column.primary) builder = builder.primaryKey();
  if (column.notNull && !column.primary) builder = builder.notNull();
  if (column.isUnique) builder = builder.unique(column.uniqueName);
  if (column.default !== undefined) builder = builder.default(defaultOf(column));
  if (reference) builder = builder.references(() => columnOfTwin(reference.table, reference.column), { onDelete: reference.onDelete });
  return builder;
}

/** The PostgreSQL twin of a SQLite table: same names, columns, keys, indexes and references. */
export function pgTwin(table: SQLiteTable): PgTableWithColumns<any> {
  const config = getTableConfig(table);
  const existing = derived.get(config.name);
  if (existing) return existing;
  const keyOf = keysOf(table);
  const references = new Map<SQLiteColumn, Reference>();
  for (const fk of config.foreignKeys) {
    const ref = fk.reference();
    if (ref.columns.length !== 1) throw new Error(`schema-pg: ${config.name}: only single-column foreign keys are derived`);
    references.set(ref.columns[0]!, { table: ref.foreignTable, column: ref.foreignColumns[0]!, onDelete: fk.onDelete });
  }
  const columns = Object.fromEntries(config.columns.map((c) => [keyOf.get(c)!, columnOf(c, references.get(c))]));
  const twin = pgTable(config.name, columns, (t: Record<string, AnyPgColumn>) => {
    const col = (c: SQLiteColumn) => t[keyOf.get(c)!]!;
    return [
      ...config.primaryKeys.map((pk) => primaryKey({ columns: pk.columns.map(col) as [AnyPgColumn, ...AnyPgColumn[]] })),
      ...config.indexes.map(({ config: ix }) => {
        const on = (ix.unique ? uniqueIndex(ix.name) : index(ix.name)).on(...(ix.columns.map((c) => col(c as SQLiteColumn)) as [AnyPgColumn]));
        return ix.where ? on.where(ix.where) : on;
      }),
    ];
  });
  derived.set(config.name, twin);
  return twin;
}


// One line per table of schema.ts (a test checks none is missing): drizzle-kit reads named exports.
export const apiKeys = pgTwin(sqlite.apiKeys);
export const documents = pgTwin(sqlite.documents);
export const envelopes = pgTwin(sqlite.envelopes);
export const envelopeDocuments = pgTwin(sqlite.envelopeDocuments);
export const recipients = pgTwin(sqlite.recipients);
export const fields = pgTwin(sqlite.fields);
export const templates = pgTwin(sqlite.templates);
export const batches = pgTwin(sqlite.batches);
export const batchRows = pgTwin(sqlite.batchRows);
export const auditEvents = pgTwin(sqlite.auditEvents);
export const jobs = pgTwin(sqlite.jobs);
export const webhooks = pgTwin(sqlite.webhooks);
export const webhookEvents = pgTwin(sqlite.webhookEvents);
export const webhookDeliveries = pgTwin(sqlite.webhookDeliveries);
export const webhookAttempts = pgTwin(sqlite.webhookAttempts);
export const idempotencyKeys = pgTwin(sqlite.idempotencyKeys);
export const adminUsers = pgTwin(sqlite.adminUsers);
export const adminSessions = pgTwin(sqlite.adminSessions);
export const adminLoginThrottle = pgTwin(sqlite.adminLoginThrottle);
export const adminActions = pgTwin(sqlite.adminActions);
export const envelopeTombstones = pgTwin(sqlite.envelopeTombstones);
export const settings = pgTwin(sqlite.settings);
