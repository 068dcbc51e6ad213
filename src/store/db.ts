import { Database } from "bun:sqlite";
import { mkdirSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { migrationJournal, migrationSql } from "../../migrations";
import { sha256Hex } from "../ids";
import { schema } from "./schema";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** Opens (creating if needed) the SQLite file with the pragmas every connection needs. */
export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  // Per-connection settings: WAL for concurrent readers, a busy timeout instead of SQLITE_BUSY
  // errors when the CLI writes while the server runs, NORMAL sync (safe with WAL).
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA busy_timeout = 5000");
  sqlite.run("PRAGMA synchronous = NORMAL");
  // 16 MiB of page cache instead of SQLite's 2 MiB: at a million envelopes an insert touches
  // pages of a dozen large indexes, and re-reading them made creation's p99 several times slower.
  sqlite.run("PRAGMA cache_size = -16384");
  sqlite.run("PRAGMA foreign_keys = ON");
  return drizzle({ client: sqlite, schema }) as Db;
}

/** Applies the embedded migrations not yet applied; returns how many ran. */
export function migrate(db: Db): number {
  const migrations = migrationJournal.map((entry) => {
    const sql = migrationSql[entry.tag];
    if (sql === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded (migrations/index.ts)`);
    return {
      sql: sql.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: sha256Hex(sql),
    };
  });
  const count = () => {
    try {
      return (db.$client.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
    } catch {
      return 0;
    }
  };
  const before = count();
  (db as any).dialect.migrate(migrations, (db as any).session, {});
  return count() - before;
}

/** How many rows a write's run() changed: bun:sqlite returns its Changes object, which drizzle types as void. */
export const affectedRows = (result: unknown): number => (result as { changes: number }).changes;

/** A database handle or an open transaction: domain functions that write take either. */
export type Tx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * A prepared statement per database, built on first use. Building a drizzle query costs
 * ~50-100 µs; on hot read paths (every authenticated GET) prepare it once with placeholders.
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let stmt = cache.get(db);
    if (!stmt) cache.set(db, (stmt = build(db)));
    return stmt;
  };
}

/** What a database and its transactions share: the connection's session (an identity, for WeakMaps). */
export const sessionOf = (tx: Tx): object => (tx as unknown as { session?: object }).session ?? tx;

/**
 * Statements prepared once per database session, for functions that get the caller's
 * transaction: a drizzle transaction is a new object each time and exposes no Db, but it shares
 * its database's session (the same connection), so a statement prepared through either runs
 * inside the open transaction. Keyed on that session.
 */
export function preparedPerSession<T>(build: (tx: Tx) => T): (tx: Tx) => T {
  const cache = new WeakMap<object, T>();
  return (tx) => {
    const session = sessionOf(tx);
    let stmt = cache.get(session);
    if (!stmt) cache.set(session, (stmt = build(tx)));
    return stmt;
  };
}

/**
 * `column IN` the ids of a JSON array given as the `ids` placeholder (idsParam): one prepared
 * statement serves a page of any size, and SQLite still probes the column's index per id.
 */
export const inIds = (column: SQLiteColumn): SQL => sql`${column} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`;
export const idsParam = (ids: readonly string[]) => ({ ids: JSON.stringify(ids) });

const generations = new WeakMap<Db, () => number>();

/**
 * A number that changes whenever any connection (this process or the CLI) commits, for
 * in-memory caches of hot rows (API keys, documents). Another connection's commit shows within
 * a millisecond in PRAGMA data_version; this connection's own commits do not,
 * so a watch on the database's directory also bumps it when the WAL file changes (delivered by
 * the event loop, so a moment later: writers in this process drop what they change themselves).
 */
export function commitGeneration(db: Db): () => number {
  let generation = generations.get(db);
  if (generation) return generation;
  const file = db.$client.filename;
  const version = db.$client.prepare("PRAGMA data_version");
  // Reading it opens a read transaction (about 2.5 µs, two per cached GET): lookups within the
  // same millisecond share one read, so another process's commit shows within a millisecond.
  let readAt = -Infinity;
  let current = 0;
  const dataVersion = () => {
    const now = performance.now();
    if (now - readAt >= 1) {
      current = (version.get() as { data_version: number }).data_version;
      readAt = now;
    }
    return current;
  };
  if (!file || file === ":memory:") generation = dataVersion;
  else {
    let counter = 0;
    const base = basename(file);
    const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (!name || String(name).startsWith(base)) counter++;
    });
    watcher.on("error", () => watcher.close());
    generation = () => counter + dataVersion();
  }
  generations.set(db, generation);
  return generation;
}
