import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Tx } from "./db";
import { dialectOf } from "./dialect";

/** How many rows a write changed: bun:sqlite returns its Changes, Bun's PostgreSQL client a result with a count. */
export const affectedRows = (result: unknown): number => {
  const r = result as { changes?: number; count?: number };
  return r.changes ?? r.count ?? 0;
};

/** The first row of an awaited select, or undefined (the portable `.get()`). */
export const firstRow = async <T>(query: PromiseLike<T[]>): Promise<T | undefined> => (await query)[0];

/**
 * `query` (a select builder) locking the rows it reads until the transaction ends, on
 * PostgreSQL: `FOR UPDATE` (the default) or `FOR SHARE`. On SQLite it is left as it is: a
 * transaction there holds the write lock from its start.
 */
export const lockingRows = <Q>(tx: Tx, query: Q, strength: "update" | "share" = "update"): Q =>
  dialectOf(tx) === "postgres" ? (query as unknown as { for(strength: "update" | "share"): Q }).for(strength) : query;

/**
 * `column IN` the ids of a JSON array given as the `ids` placeholder (idsParam): one prepared
 * statement serves a page of any size, and the database still probes the column's index per id.
 */
export const inIds = (db: Tx, column: SQLiteColumn): SQL =>
  dialectOf(db) === "postgres"
    // Bun's client sends a string parameter as json-typed text: ::text first, then parsed.
    ? sql`${column} IN (SELECT json_array_elements_text(${sql.placeholder("ids")}::text::json))`
    : sql`${column} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`;
export const idsParam = (ids: readonly string[]) => ({ ids: JSON.stringify(ids) });

/** The text at `path` (keys, e.g. ["data", "envelope", "id"]) inside a JSON column. */
export function jsonText(db: Tx, column: SQLiteColumn, path: readonly string[]): SQL {
  if (!path.every((k) => /^\w+$/.test(k))) throw new Error(`jsonText: bad path ${path.join(".")}`);
  return dialectOf(db) === "postgres"
    ? sql`(${column}::json #>> ${sql.raw(`'{${path.join(",")}}'`)})`
    : sql`json_extract(${column}, ${sql.raw(`'$.${path.join(".")}'`)})`;
}

/** Whether the JSON array in `column` holds the string `value`. */
export const jsonArrayHas = (db: Tx, column: SQLiteColumn, value: string): SQL =>
  dialectOf(db) === "postgres"
    ? sql`(${column}::jsonb @> jsonb_build_array(${value}::text))`
    : sql`EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${value})`;
