import { Database, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrationJournal, migrationSql } from "../../migrations";
import { sha256Hex } from "../ids";
import { Recent } from "../recent";
import { FOLD_FUNCTION, foldForSearch } from "./portable-sql";

/**
 * No relational schema is given to drizzle: the code queries with the builders only, and
 * drizzle's walk of the schema's relations cost ~2 ms of every start.
 */
export type Db = BunSQLiteDatabase & { $client: Database };

/** A database handle or an open transaction: domain functions that write take either. */
export type Tx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * A connection that keeps the statements it compiled, by SQL text: drizzle prepares every query
 * it runs (the builders not prepared by hand: inserts, updates, one-off selects), and SQLite's
 * compilation cost more than running them (an envelope creation: ~250 µs of 750). bun:sqlite
 * statements run synchronously, so one statement can serve every caller of the same text.
 * Bounded: the least recently used are dropped from the map (a prepared query may still hold
 * one); close() finalizes every one made.
 */
class StatementCachingDatabase extends Database {
  static readonly MAX_STATEMENTS = 512;
  readonly #statements = new Recent<Statement>(StatementCachingDatabase.MAX_STATEMENTS);
  /**
   * Every statement made, to finalize at close: one left unfinalized (dropped from the map but
   * held by a prepared query) keeps the connection open after close() until the collector runs,
   * and the last connection's close (a checkpoint) then happens at a random later moment,
   * locking the file under whoever opens it next.
   */
  #made = new Set<WeakRef<Statement>>();

  override prepare(sql: string, ...rest: any[]): any {
    if (rest.length) return this.#keep(super.prepare(sql, ...rest));
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.#keep(super.prepare(sql))));
    return stmt;
  }

  #keep(stmt: Statement): Statement {
    this.#made.add(new WeakRef(stmt));
    if (this.#made.size > 4 * StatementCachingDatabase.MAX_STATEMENTS)
      for (const ref of this.#made) if (!ref.deref()) this.#made.delete(ref);
    return stmt;
  }

  override close(throwOnError?: boolean) {
    for (const ref of this.#made) ref.deref()?.finalize();
    this.#made.clear();
    this.#statements.clear();
    super.close(throwOnError);
  }
}

/**
 * How long a statement of a serving connection may wait for another process's lock: SQLite's busy
 * handler sleeps the thread, here the one event loop, so it absorbs only brief locks. Longer waits
 * are the transaction queue's, between turns of the event loop (BUSY_WAIT_MS in transaction.ts).
 * One-shot commands keep the 5 s of openDb: they serve nobody meanwhile.
 */
export function waitBrieflyForLocks(db: Db): void {
  db.$client.run("PRAGMA busy_timeout = 20");
}

/** Opens (creating if needed) the SQLite file with the pragmas every connection needs. */
export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new StatementCachingDatabase(file, { create: true, strict: true });
  // Per-connection settings: WAL for concurrent readers, a busy timeout instead of SQLITE_BUSY
  // errors when the CLI writes while the server runs, NORMAL sync (safe with WAL).
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA busy_timeout = 5000");
  sqlite.run("PRAGMA synchronous = NORMAL");
  // A log that grew in a burst is cut back to 64 MiB when it starts over, not kept at its peak.
  sqlite.run("PRAGMA journal_size_limit = 67108864");
  // 16 MiB of page cache instead of SQLite's 2 MiB: at a million envelopes an insert touches
  // pages of a dozen large indexes, and re-reading them made creation's p99 several times slower.
  sqlite.run("PRAGMA cache_size = -16384");
  sqlite.run("PRAGMA foreign_keys = ON");
  // Deleted rows are overwritten with zeros, not left in free pages: an erasure (a purge, GDPR)
  // leaves no names or addresses to read back from the file. Costs writes only when pages are freed.
  sqlite.run("PRAGMA secure_delete = ON");
  // Savepoints journal in memory: each transaction of a group commit runs in a savepoint that
  // copies every page it changes first (~22 pages for an envelope creation), and past 64 KiB
  // SQLite spills that copy to a temporary file, with a write() per page: 90 KB per creation,
  // a fifth of its CPU. The copy is dropped at each RELEASE. Sorts without an index stay in
  // memory too: the API's queries sort by index, and migrations, which build indexes, run with
  // temporary files (migrate()).
  sqlite.run("PRAGMA temp_store = MEMORY");
  sqlite.function(FOLD_FUNCTION, { deterministic: true }, (text: string | null) => (text === null ? null : foldForSearch(String(text))));
  return drizzle({ client: sqlite }) as Db;
}

/**
 * A database a newer version has migrated is not run on: this build would read and write a
 * schema it does not know (a column it leaves empty, a trigger it does not expect), and
 * migrating back is not a thing migrations do. `lastAppliedAt` is drizzle's record of the
 * newest migration applied (its journal time); the journal is this build's.
 */
export function refuseNewerSchema(lastAppliedAt: number | null, journal: readonly { when: number }[]): void {
  const known = journal.at(-1)?.when ?? 0;
  if (lastAppliedAt !== null && lastAppliedAt > known)
    throw new Error(
      `it was migrated by a newer version of Certyneo (its latest migration is of ${new Date(lastAppliedAt).toISOString()}, ` +
        `this version's of ${new Date(known).toISOString()}): run that version again, or restore the backup taken before the upgrade`,
    );
}

function lastAppliedAt(db: Db): number | null {
  try {
    const row = db.$client.query("SELECT max(created_at) AS at FROM __drizzle_migrations").get() as { at: number | null };
    return row.at === null ? null : Number(row.at);
  } catch {
    return null; // no table yet: a new database
  }
}

/** Applies the embedded migrations not yet applied; returns how many ran. */
export function migrate(db: Db): number {
  const last = lastAppliedAt(db);
  refuseNewerSchema(last, migrationJournal);
  // drizzle applies the migrations newer than the last it recorded: none once that is this
  // build's last, and a start then skips hashing them and drizzle's transaction (~2 ms).
  if (last !== null && last === migrationJournal.at(-1)?.when) return 0;
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
  // A migration may build an index over a whole table: its sort spills to temporary files, not
  // to memory as openDb's temp_store would have it (measured: +88 MB at 400,000 rows, +33 on disk).
  db.$client.run("PRAGMA temp_store = FILE");
  try {
    (db as any).dialect.migrate(migrations, (db as any).session, {});
  } finally {
    db.$client.run("PRAGMA temp_store = MEMORY");
  }
  return count() - before;
}
