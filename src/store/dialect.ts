import { is } from "drizzle-orm";
// Told apart by the SQLite class: drizzle's PostgreSQL core (64 modules) then loads only on PostgreSQL.
import { SQLiteDialect } from "drizzle-orm/sqlite-core";
import type { Db, Tx } from "./db";

/** Which database a handle talks to: SQLite in the data directory (the default) or PostgreSQL. */
export type Dialect = "sqlite" | "postgres";

/** By drizzle dialect object: asked several times per statement written, and drizzle's is() walks the class chain. */
const dialects = new WeakMap<object, Dialect>();

/**
 * The dialect of a database handle or transaction. The domain is written once against the SQLite
 * typing of drizzle and only what both dialects run (awaited builders, `transaction()` of
 * transaction.ts, the fragments of portable-sql.ts); a PostgreSQL handle is a drizzle PgDatabase
 * behind the same type.
 */
export function dialectOf(db: Tx): Dialect {
  const dialect = (db as { dialect?: object }).dialect;
  if (!dialect) return "sqlite";
  let known = dialects.get(dialect);
  if (!known) dialects.set(dialect, (known = is(dialect, SQLiteDialect) ? "sqlite" : "postgres"));
  return known;
}

/** The pool behind a PostgreSQL handle (drizzle keeps the client it was given as $client). */
export function postgresClient(db: Db): import("bun").SQL {
  if (dialectOf(db) !== "postgres") throw new Error("not a PostgreSQL database handle");
  return (db as unknown as { $client: import("bun").SQL }).$client;
}
