import { Database, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { is, sql, type SQL } from "drizzle-orm";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { migrationJournal, migrationSql } from "../../migrations";
import { sha256Hex } from "../ids";
import { Recent } from "../recent";
import { schema } from "./schema";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

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
  // Savepoints journal in memory: each transaction of a group commit runs in a savepoint that
  // copies every page it changes first (~22 pages for an envelope creation), and past 64 KiB
  // SQLite spills that copy to a temporary file, with a write() per page: 90 KB per creation,
  // a fifth of its CPU. The copy is dropped at each RELEASE. Sorts without an index stay in
  // memory too: the API's queries sort by index, and migrations, which build indexes, run with
  // temporary files (migrate()).
  sqlite.run("PRAGMA temp_store = MEMORY");
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

/** Which database a handle talks to: SQLite in the data directory (the default) or PostgreSQL. */
export type Dialect = "sqlite" | "postgres";

/** By drizzle dialect object: asked several times per statement written, and drizzle's is() walks the class chain. */
const dialects = new WeakMap<object, Dialect>();

/**
 * The dialect of a database handle or transaction. The domain is written once against the SQLite
 * typing of drizzle and only what both dialects run (awaited builders, `transaction()` below,
 * the JSON fragments below); a PostgreSQL handle is a drizzle PgDatabase behind the same type.
 */
export function dialectOf(db: Tx): Dialect {
  const dialect = (db as { dialect?: object }).dialect;
  if (!dialect) return "sqlite";
  let known = dialects.get(dialect);
  if (!known) dialects.set(dialect, (known = is(dialect, PgDialect) ? "postgres" : "sqlite"));
  return known;
}

/** The pool behind a PostgreSQL handle (drizzle keeps the client it was given as $client). */
export function postgresClient(db: Db): import("bun").SQL {
  if (dialectOf(db) !== "postgres") throw new Error("not a PostgreSQL database handle");
  return (db as unknown as { $client: import("bun").SQL }).$client;
}

/** How many rows a write changed: bun:sqlite returns its Changes, Bun's PostgreSQL client a result with a count. */
export const affectedRows = (result: unknown): number => {
  const r = result as { changes?: number; count?: number };
  return r.changes ?? r.count ?? 0;
};

/** The first row of an awaited select, or undefined (the portable `.get()`). */
export const firstRow = async <T>(query: PromiseLike<T[]>): Promise<T | undefined> => (await query)[0];

/** A database handle or an open transaction: domain functions that write take either. */
export type Tx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

const IN_TRANSACTION = Symbol("certyneo.sqliteTransaction");

/** A transaction waiting for its turn on SQLite. */
interface Waiting {
  client: Database;
  db: Tx;
  work: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
/**
 * The SQLite transactions waiting, per database file (two connections of one process to one file
 * would otherwise block each other: BEGIN IMMEDIATE waits synchronously for the other's COMMIT,
 * which the blocked event loop never runs); an in-memory database has its own.
 */
interface SqliteQueue { file: string | null; waiting: Waiting[]; draining: boolean }
const sqliteQueues = new Map<string, SqliteQueue>();
const memoryQueues = new WeakMap<Database, SqliteQueue>();
const onDisk = (client: Database) => Boolean(client.filename && client.filename !== ":memory:");
const existingQueue = (client: Database) => (onDisk(client) ? sqliteQueues.get(client.filename) : memoryQueues.get(client));
function queueOf(client: Database): SqliteQueue {
  let q = existingQueue(client);
  if (!q) {
    q = { file: onDisk(client) ? client.filename : null, waiting: [], draining: false };
    if (onDisk(client)) sqliteQueues.set(client.filename, q);
    else memoryQueues.set(client, q);
  }
  return q;
}

const begun = new WeakMap<Database, number>();
const committed = new WeakMap<Database, Set<() => void>>();

/** Calls `fn` after each commit of the server's transactions on SQLite connection `db`; returns the unsubscribe function. */
export function onCommit(db: Db, fn: () => void): () => void {
  let set = committed.get(db.$client);
  if (!set) committed.set(db.$client, (set = new Set()));
  set.add(fn);
  return () => void set.delete(fn);
}

/**
 * A mark that moves whenever reads on `db` may stop seeing committed rows only: on SQLite, at
 * each transaction begun on the shared connection, whose statements interleave with other
 * reads (null while one is open); on PostgreSQL never (reads outside a transaction see commits
 * only). Reads between two equal non-null marks saw committed rows (view caches rely on it).
 */
export function committedReadMark(db: Db): number | null {
  if (dialectOf(db) === "postgres") return 0;
  return db.$client.inTransaction ? null : (begun.get(db.$client) ?? 0);
}

/**
 * Resolves once no SQLite transaction of `db`'s file waits or runs: closing waits for it, so
 * that work already accepted commits instead of failing on a closed connection.
 */
export async function transactionsIdle(db: Db): Promise<void> {
  for (;;) {
    const q = existingQueue(db.$client);
    if (!q || (!q.draining && !q.waiting.length)) return;
    await new Promise((next) => setImmediate(next));
  }
}

/** At most this many transactions share one commit (a group holds the write lock while its bodies run). */
const GROUP_MAX = 32;

/**
 * Group commit: the transactions that are waiting when a turn starts run one after another in
 * one SQLite transaction, each in its own savepoint (a body that throws rolls back only its
 * own writes), then one COMMIT; each caller's promise settles only after that COMMIT, so none
 * sees a result that is not durable. A commit writes every page the group changed once: an
 * envelope creation alone rewrites ~29 pages (random-id indexes, the tails of the time-ordered
 * ones), a group shares the tails, and the per-commit cost (WAL frames, syscalls) is divided.
 */
async function drain(q: SqliteQueue): Promise<void> {
  while (q.waiting.length) {
    const client = q.waiting[0]!.client;
    const done: [Waiting, unknown][] = [];
    try {
      client.run("BEGIN IMMEDIATE");
      begun.set(client, (begun.get(client) ?? 0) + 1);
    } catch (e) {
      q.waiting.shift()!.reject(e);
      continue;
    }
    while (q.waiting.length && q.waiting[0]!.client === client && done.length < GROUP_MAX) {
      const next = q.waiting.shift()!;
      try {
        // Prepared (openDb's connection keeps them): run(sql) compiles its text each time, 0.4 µs a body.
        client.prepare("SAVEPOINT grouped").run();
        const result = await next.work(Object.create(next.db as object, { [IN_TRANSACTION]: { value: true } }) as Tx);
        client.prepare("RELEASE grouped").run();
        done.push([next, result]);
      } catch (e) {
        next.reject(e);
        // Some errors (disk full, I/O) end the whole transaction: the group's earlier work is gone too.
        if (!client.inTransaction) {
          for (const [w] of done.splice(0)) w.reject(e);
          break;
        }
        client.run("ROLLBACK TO grouped");
        client.run("RELEASE grouped");
      }
    }
    if (!client.inTransaction) continue;
    try {
      client.run("COMMIT");
    } catch (e) {
      if (client.inTransaction) client.run("ROLLBACK");
      for (const [w] of done) w.reject(e);
      continue;
    }
    for (const [w, result] of done) w.resolve(result);
    for (const fn of committed.get(client) ?? []) fn();
  }
  q.draining = false;
  // Dropped once idle: test suites open thousands of files.
  if (q.file) sqliteQueues.delete(q.file);
}

/** SQLSTATEs after which PostgreSQL asks for the transaction to be run again: serialization failure, deadlock. */
export const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 25;
const IMMEDIATE_RETRIES = 8;
export const sqlState = (e: unknown): string | undefined => {
  for (let c: any = e; c; c = c.cause) if (typeof c.errno === "string") return c.errno;
  return undefined;
};

export interface TransactionOptions {
  /**
   * PostgreSQL isolation. "serializable" (the default) keeps SQLite's guarantee that a
   * transaction sees no other commit midway (a conflict is retried, with growing random
   * delays); "read committed" for bodies that take care of concurrency themselves: they lock
   * the rows they decide on before reading them (`lockingRows`, e.g. the envelope's row), or
   * write with a condition whose row count decides. Read-committed transactions run side by
   * side, on a node and across nodes; a deadlock between them is run again too. Their bodies
   * use only `tx`: a query on the database handle inside one waits for a second pooled
   * connection, and as many such bodies as the pool has connections wait for each other for
   * ever (a serializable body, one at a time per node, gets away with it).
   */
  isolation?: "serializable" | "read committed";
}

/** A transaction, run again while PostgreSQL reports a conflict or a deadlock (up to MAX_ATTEMPTS). */
async function withRetry<T>(db: Db, work: (tx: Tx) => Promise<T>, isolationLevel: NonNullable<TransactionOptions["isolation"]>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work as any, { isolationLevel } as any) as T;
    } catch (e) {
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(e) ?? "")) throw e;
      // At once first: a node's serializable transactions run one at a time, so the conflict was
      // with another node's, which runs the next of its queue right after its commit; a retry
      // that waited started behind that one every time and lost every time (measured: two nodes
      // creating envelopes side by side, one request refused after 25 attempts). Then full
      // jitter, doubling up to 250 ms, should more nodes collide.
      if (attempt > IMMEDIATE_RETRIES) await Bun.sleep(Math.random() * Math.min(250, 2 ** (attempt - IMMEDIATE_RETRIES)));
    }
  }
}

const nodeQueues = new WeakMap<object, Promise<unknown>>();

/**
 * A node's serializable transactions run one after another, as on SQLite: run side by side they
 * mostly conflict with each other (measured: 16 concurrent envelope creations on one node had a
 * third of them fail after 10 attempts), so they wait their turn here instead of being run again.
 * Only the nodes' transactions against each other are left to PostgreSQL's conflict detection.
 */
function oneAtATimeOnThisNode<T>(db: Tx, run: () => Promise<T>): Promise<T> {
  const turn = (nodeQueues.get(db) ?? Promise.resolve()).then(run);
  nodeQueues.set(db, turn.catch(() => {}));
  return turn;
}

/**
 * Runs `work` in one transaction and returns what it returns; an exception rolls back.
 * PostgreSQL: drizzle's transaction on one pooled connection, serializable and one at a time
 * per node unless `opts.isolation` says "read committed", and run again when the server reports
 * a conflict or a deadlock (nested: a savepoint). SQLite: the connection is shared by the whole process and bun:sqlite's
 * transactions are synchronous, so transactions are queued and committed in groups (drain():
 * each body in a savepoint of one BEGIN IMMEDIATE ... COMMIT, on a handle that marks itself; a
 * nested call makes a savepoint). A body does
 * database work only, which on SQLite completes without yielding to I/O (so the queue never
 * waits long), and may run more than once on PostgreSQL.
 */
export async function transaction<T>(db: Tx, work: (tx: Tx) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  if (dialectOf(db) === "postgres") {
    if (!(db as any).$client) return (db as any).transaction(work);
    const isolationLevel = opts.isolation ?? "serializable";
    if (isolationLevel === "serializable") return oneAtATimeOnThisNode(db, () => withRetry(db as Db, work, isolationLevel));
    return withRetry(db as Db, work, isolationLevel);
  }
  const client = (db as Db).$client;
  if ((db as any)[IN_TRANSACTION]) {
    const name = `sp${++savepoints}`;
    client.run(`SAVEPOINT ${name}`);
    try {
      const result = await work(db);
      client.run(`RELEASE ${name}`);
      return result;
    } catch (e) {
      client.run(`ROLLBACK TO ${name}`);
      client.run(`RELEASE ${name}`);
      throw e;
    }
  }
  return new Promise<T>((resolve, reject) => {
    const q = queueOf(client);
    q.waiting.push({ client, db, work, resolve: resolve as (v: unknown) => void, reject });
    if (q.draining) return;
    q.draining = true;
    // On the next turn: the requests of this turn join the group.
    setImmediate(() => drain(q).catch((e) => {
      // Only a connection closed under the queue gets here: nothing waits for ever.
      for (const w of q.waiting.splice(0)) w.reject(e);
      q.draining = false;
    }));
  });
}
let savepoints = 0;

/**
 * `query` (a select builder) locking the rows it reads until the transaction ends, on
 * PostgreSQL: `FOR UPDATE` (the default) or `FOR SHARE`. On SQLite it is left as it is: a
 * transaction there holds the write lock from its start.
 */
export const lockingRows = <Q>(tx: Tx, query: Q, strength: "update" | "share" = "update"): Q =>
  dialectOf(tx) === "postgres" ? (query as unknown as { for(strength: "update" | "share"): Q }).for(strength) : query;

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
 * Runs `work` while holding a lock named `name` across every node (PostgreSQL: a session
 * advisory lock on a connection reserved meanwhile; SQLite: one process, nothing to hold), or
 * returns `busy` at once when another node holds it.
 */
export async function withNodeLock<T>(db: Db, name: string, work: () => Promise<T>): Promise<{ done: T } | "busy"> {
  if (dialectOf(db) !== "postgres") return { done: await work() };
  const connection = await postgresClient(db).reserve();
  try {
    const [row] = await connection`SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS locked`;
    if (!row.locked) return "busy";
    try {
      return { done: await work() };
    } finally {
      await connection`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  } finally {
    connection.release();
  }
}
