import { Database } from "bun:sqlite";
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrationJournal, migrationSql } from "../../migrations";
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
      hash: new Bun.CryptoHasher("sha256").update(sql).digest("hex"),
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

/**
 * A token that changes whenever any connection (this process or the CLI) commits: the WAL
 * file's mtime and size. In-memory caches compare it on each use. A stat costs ~1 µs, far less
 * than any SQLite read (which takes WAL locks); in-memory databases fall back to data_version.
 */
export function commitGeneration(db: Db): () => string {
  const file = db.$client.filename;
  if (!file || file === ":memory:") {
    const version = db.$client.prepare("PRAGMA data_version");
    return () => String((version.get() as { data_version: number }).data_version);
  }
  const wal = `${file}-wal`;
  return () => {
    try {
      const s = statSync(wal);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return "no-wal";
    }
  };
}
