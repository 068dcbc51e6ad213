import { Database } from "bun:sqlite";
import { mkdirSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
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

const generations = new WeakMap<Db, () => number>();

/**
 * A number that changes whenever any connection (this process or the CLI) commits, for
 * in-memory caches of hot rows (API keys, documents). It costs nothing per read: a watch on
 * the database's directory bumps it when the WAL file changes, which the event loop sees
 * within milliseconds (a request racing another process's commit in the same instant may
 * still see the old rows). In-memory databases fall back to PRAGMA data_version.
 */
export function commitGeneration(db: Db): () => number {
  let generation = generations.get(db);
  if (generation) return generation;
  const file = db.$client.filename;
  if (!file || file === ":memory:") {
    const version = db.$client.prepare("PRAGMA data_version");
    generation = () => (version.get() as { data_version: number }).data_version;
  } else {
    let counter = 0;
    const base = basename(file);
    const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (!name || String(name).startsWith(base)) counter++;
    });
    watcher.on("error", () => watcher.close());
    generation = () => counter;
  }
  generations.set(db, generation);
  return generation;
}
