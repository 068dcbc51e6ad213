import { asc, count, getTableColumns, getTableName } from "drizzle-orm";
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { sha256Hex } from "../ids";
import type { Db, Tx } from "../store/db";
import { transaction } from "../store/transaction";
import { schema } from "../store/schema";

/** Rows per statement: SQLite takes at most 32,766 parameters in one. */
const pageOf = (table: SQLiteTable) => Math.floor(30_000 / Object.keys(getTableColumns(table)).length);

/** The primary key's columns of a table, for a stable order. */
function keyColumns(table: SQLiteTable): SQLiteColumn[] {
  const config = getTableConfig(table);
  const single = config.columns.filter((c) => c.primary);
  return single.length ? single : config.primaryKeys[0]!.columns;
}

/** Rows of a table in primary-key order, a page at a time. */
async function* rowsOf(db: Tx, table: SQLiteTable): AsyncGenerator<Record<string, unknown>[]> {
  const order = keyColumns(table).map((c) => asc(c));
  const size = pageOf(table);
  for (let offset = 0; ; offset += size) {
    const page = await db.select().from(table).orderBy(...order).limit(size).offset(offset);
    if (page.length) yield page;
    if (page.length < size) return;
  }
}

/**
 * Columns the target makes itself: an envelope's revision counts changes (database triggers),
 * and copying its recipients, fields and documents counts on the target too. A cache key, its
 * value only has to move when the envelope changes.
 */
const MADE_BY_TARGET: Record<string, string[]> = { envelopes: ["revision"] };

/**
 * SHA-256 over a table's rows as the application reads them (the same in both dialects): of the
 * sorted SHA-256s of the rows, since the two databases may sort text keys differently.
 */
async function digestOf(db: Tx, table: SQLiteTable): Promise<{ rows: number; sha256: string }> {
  const hashes: string[] = [];
  const skip = MADE_BY_TARGET[getTableName(table)] ?? [];
  const kept = (row: Record<string, unknown>) => (skip.length ? Object.fromEntries(Object.entries(row).filter(([k]) => !skip.includes(k))) : row);
  for await (const page of rowsOf(db, table)) for (const row of page) hashes.push(sha256Hex(JSON.stringify(kept(row))));
  return { rows: hashes.length, sha256: sha256Hex(hashes.sort().join("\n")) };
}

export interface TableCopy {
  table: string;
  rows: number;
  sha256: string;
}

/**
 * Copies every row of every table from `source` to `target` (SQLite to PostgreSQL or back), in
 * one transaction on the target, parents first; then reads both sides again and compares each
 * table's row count and SHA-256 (less MADE_BY_TARGET). The target must hold no rows: a copy is all or nothing, so an
 * interrupted one leaves an empty target to copy into again.
 */
export async function copyDatabase(source: Db, target: Db, progress: (line: string) => void): Promise<TableCopy[]> {
  const tables = Object.values(schema) as SQLiteTable[];
  for (const table of tables) {
    const [{ n }] = await target.select({ n: count() }).from(table);
    if (n > 0) throw new Error(`the target database is not empty (${getTableName(table)} holds ${n} row(s)): copy into a new, empty database`);
  }
  await transaction(target, async (tx) => {
    for (const table of tables) {
      let copied = 0;
      for await (const page of rowsOf(source, table)) {
        await tx.insert(table).values(page as any);
        copied += page.length;
      }
      progress(`${getTableName(table)}: ${copied} row(s) copied`);
    }
  });
  const result: TableCopy[] = [];
  for (const table of tables) {
    const [from, to] = [await digestOf(source, table), await digestOf(target, table)];
    if (from.rows !== to.rows || from.sha256 !== to.sha256)
      throw new Error(`${getTableName(table)}: the copy differs from the source (${from.rows} rows, ${from.sha256.slice(0, 12)} vs ${to.rows} rows, ${to.sha256.slice(0, 12)})`);
    result.push({ table: getTableName(table), ...from });
  }
  return result;
}
