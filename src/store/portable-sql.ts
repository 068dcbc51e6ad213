import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Tx } from "./db";
import { dialectOf } from "./dialect";

/** How many rows a write changed: bun:sqlite returns its Changes, Bun's PostgreSQL client a result with a count. */
export const affectedRows = (result: unknown): number => {
  const r = result as { changes?: number; count?: number };
  return r.changes ?? r.count ?? 0;
};

/**
 * Text from elsewhere recorded as it came (a webhook receiver's answer, an SMTP server's or a
 * job's error), with each NUL as U+FFFD: PostgreSQL's text cannot hold a NUL, and the record's
 * own write would fail.
 */
export const storableText = (text: string): string => text.replaceAll("\0", "\uFFFD");

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

/**
 * Text as a search compares it: lower case, with the accents of Latin, Greek and Cyrillic letters
 * taken off (decomposed, combining marks U+0300–U+036F dropped), so "elodie" finds "Élodie" and
 * "ÉLODIE" finds it too. Marks outside that block (Arabic vowels, Devanagari signs) are letters'
 * parts and stay.
 */
export const foldForSearch = (text: string): string =>
  // Most stored text is ASCII: only lower-cased, at a third of the cost (searches fold every row they read).
  (/[^\x00-\x7f]/.test(text) ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : text).toLowerCase();

/** foldForSearch as an SQL function on each SQLite connection (store/db.ts openDb). */
export const FOLD_FUNCTION = "certyneo_fold";

/**
 * Whether `column`, folded as foldForSearch folds text, contains `pattern` (a LIKE pattern already
 * folded, `\` its escape). SQLite's lower() folds ASCII only and neither dialect drops accents:
 * SQLite calls FOLD_FUNCTION (a search that finds nothing reads a million rows in about twice
 * the time lower() took), PostgreSQL decomposes and drops the same marks itself.
 */
export const likeFolded = (db: Tx, column: SQLiteColumn, pattern: string): SQL =>
  dialectOf(db) === "postgres"
    ? sql`regexp_replace(normalize(lower(${column}::text), NFD), '[\\u0300-\\u036f]', '', 'g') LIKE ${pattern} ESCAPE '\\'`
    : sql`${sql.raw(FOLD_FUNCTION)}(${column}) LIKE ${pattern} ESCAPE '\\'`;
