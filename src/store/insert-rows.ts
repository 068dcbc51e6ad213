/** Inserts prepared once per table and shape of the rows, and the rows as inserted. */
import type { Database, SQLQueryBindings } from "bun:sqlite";
import { getTableColumns, getTableName, is, Param, Placeholder, SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tx } from "./db";
import { dialectOf } from "./dialect";
import { preparedPerSession, sessionOf } from "./prepared";

/** The insert of one shape of rows (rowInsert): runs it for a row. */
interface RowInsert {
  run(row: Record<string, unknown>): void;
}

/**
 * A table's inserts on one session, by the shape of their rows: the columns given (a bit each,
 * in the table's order), then which of those are null. Two numbers, not a string of the names
 * made for every row.
 */
type ByShape = Map<number, Map<number, RowInsert>>;
const insertStatements = new WeakMap<object, Map<SQLiteTable, ByShape>>();
/** A shape's bits are exact in a double up to 2^53. */
const MAX_COLUMNS = 53;

/**
 * The insert of rows of one shape (the columns given, and which of them are null), on SQLite's
 * connection itself: drizzle writes the SQL once, and each row's parameters are its values
 * through their columns' encoders, in the statement's order (what drizzle's prepared execute
 * does, less its per-parameter type checks and a promise per row).
 */
function rowInsert(tx: Tx, table: SQLiteTable, row: Record<string, unknown>): RowInsert {
  const query = tx.insert(table).values(placeholders(row) as SQLiteTable["$inferInsert"]).toSQL();
  const statement = (sessionOf(tx) as { client: Database }).client.prepare(query.sql);
  // Per parameter: the row's column and its encoder, or a value drizzle wrote into the query.
  const names = query.params.map((p) => (is(p, Param) && is(p.value, Placeholder) ? p.value.name : null));
  const encoders = query.params.map((p) => (p as Param).encoder);
  return {
    run(r) {
      const values = new Array<SQLQueryBindings>(names.length);
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        values[i] = (name === null ? query.params[i] : encoders[i]!.mapToDriverValue(r[name])) as SQLQueryBindings;
      }
      statement.run(...values);
    },
  };
}

/** The insert of `row`'s shape, found by two numbers: its columns given, and those of them that are null. */
function insertFor(tx: Tx, table: SQLiteTable, byShape: ByShape, row: Record<string, unknown>): RowInsert {
  const columns = defaultsOf(table);
  if (columns.length > MAX_COLUMNS) throw new Error(`insertRows: ${getTableName(table)} has more than ${MAX_COLUMNS} columns`);
  let given = 0;
  let nulls = 0;
  for (let i = 0, bit = 1; i < columns.length; i++, bit *= 2) {
    const value = row[columns[i]!.key];
    if (value === undefined) continue;
    given += bit;
    if (value === null) nulls += bit;
  }
  let byNulls = byShape.get(given);
  if (!byNulls) byShape.set(given, (byNulls = new Map()));
  let insert = byNulls.get(nulls);
  if (!insert) byNulls.set(nulls, (insert = rowInsert(tx, table, row)));
  return insert;
}

/** Which columns a row gives, and which of them are null, as text: PostgreSQL's inserts of rows of these shapes share a statement. */
export function shapeOf(row: Record<string, unknown>): string {
  let shape = "";
  for (const c in row) if (row[c] !== undefined) shape += row[c] === null ? `${c}:null,` : `${c},`;
  return shape;
}

/**
 * Nulls are written into the statement (a column's encoder does not pass null by); the other
 * values are placeholders `${prefix}${column}`, which go through their columns' encoders.
 */
export function placeholders(row: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const c in row) if (row[c] !== undefined) values[c] = row[c] === null ? sql`null` : sql.placeholder(prefix + c);
  return values;
}

/**
 * PostgreSQL prepares inserts of at most this many rows (an envelope, its documents and
 * recipients, a job): the statements kept stay few and small, and a longer list (an envelope's
 * fields) pays its build once for all its rows.
 */
const MAX_PREPARED_ROWS = 4;

/** The multi-row inserts of PostgreSQL, prepared once per table and shapes of the rows (see insertRows). */
const pgInserts = new WeakMap<SQLiteTable, Map<string, (tx: Tx) => { execute(values: Record<string, unknown>): Promise<unknown> }>>();

/**
 * Inserts `rows` into `table`. Building a drizzle insert costs more than the database's work for
 * it (about 25 µs a row of 17 columns on SQLite, ~100 µs a statement on PostgreSQL), so it is
 * prepared once per shape. On SQLite each row runs through an insert prepared once per session
 * and shape (rowInsert): on one connection a row per statement costs no round trip. On
 * PostgreSQL, where it does, the rows go in one statement, prepared per table and shapes of its
 * rows when they are few (MAX_PREPARED_ROWS).
 */
export async function insertRows<T extends SQLiteTable>(tx: Tx, table: T, rows: readonly T["$inferInsert"][]): Promise<void> {
  if (!rows.length) return;
  const given = rows as Record<string, unknown>[];
  if (dialectOf(tx) === "postgres") {
    if (given.length > MAX_PREPARED_ROWS) return void (await tx.insert(table).values(rows as T["$inferInsert"][]));
    let byShapes = pgInserts.get(table);
    if (!byShapes) pgInserts.set(table, (byShapes = new Map()));
    const shapes = given.map(shapeOf).join(";");
    let insert = byShapes.get(shapes);
    if (!insert) {
      const template = given.map((row, i) => placeholders(row, `${i}.`)) as T["$inferInsert"][];
      byShapes.set(shapes, (insert = preparedPerSession((t) => t.insert(table).values(template).prepare())));
    }
    const values: Record<string, unknown> = {};
    given.forEach((row, i) => { for (const c in row) values[`${i}.${c}`] = row[c]; });
    return void (await insert(tx).execute(values));
  }
  let byTable = insertStatements.get(sessionOf(tx));
  if (!byTable) insertStatements.set(sessionOf(tx), (byTable = new Map()));
  let byShape = byTable.get(table);
  if (!byShape) byTable.set(table, (byShape = new Map()));
  for (const row of given) insertFor(tx, table, byShape, row).run(row);
}

/**
 * insertRows, answering the rows as the table now holds them, in the order given: the values
 * given, and for each column left out the schema's default (null without one). Made here, not
 * with RETURNING: on SQLite that cost more than reading the rows back (an envelope creation's
 * three returning inserts, 21 µs more than without; drizzle then decodes every column).
 */
export async function insertRowsReturning<T extends SQLiteTable>(tx: Tx, table: T, rows: readonly T["$inferInsert"][]): Promise<T["$inferSelect"][]> {
  await insertRows(tx, table, rows);
  const columns = defaultsOf(table);
  return rows.map((given) => {
    const row: Record<string, unknown> = {};
    for (const { key, value: byDefault } of columns) {
      const value = (given as Record<string, unknown>)[key];
      if (value !== undefined) row[key] = value;
      else if (byDefault === DATABASE_DEFAULT) throw new Error(`insertRowsReturning: ${key} of ${getTableName(table)} has a default only the database knows; give it`);
      else row[key] = byDefault;
    }
    return row as T["$inferSelect"];
  });
}

const DATABASE_DEFAULT = Symbol("database default");
const tableDefaults = new WeakMap<SQLiteTable, { key: string; value: unknown }[]>();

/**
 * Each column of `table`, in the table's order, with the value a row gets when it is left out
 * (DATABASE_DEFAULT: an SQL expression or a function): what a returned row is made of, and the
 * order of a row insert's shape bits.
 */
function defaultsOf(table: SQLiteTable) {
  let defaults = tableDefaults.get(table);
  if (!defaults) {
    defaults = Object.entries(getTableColumns(table)).map(([key, c]) =>
      ({ key, value: c.defaultFn || is(c.default, SQL) ? DATABASE_DEFAULT : c.hasDefault ? c.default : null }));
    tableDefaults.set(table, defaults);
  }
  return defaults;
}
