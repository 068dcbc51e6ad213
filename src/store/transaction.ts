import type { Database } from "bun:sqlite";
import type { Db, Tx } from "./db";
import { dialectOf } from "./dialect";
import { isSqliteBusy } from "./outage";

const IN_TRANSACTION = Symbol("certyneo.sqliteTransaction");

/** A transaction waiting for its turn on SQLite. */
interface Waiting {
  /** When it was asked for (performance.now()): it fails as busy once it waited BUSY_WAIT_MS for another process's lock. */
  since: number;
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

/** Per database file, the writes held back while its log is copied into it (holdWrites). */
const writeHolds = new Map<string, Promise<void>>();

/**
 * Holds back the next groups of `db`'s file until the returned function is called, and resolves
 * once the group in progress, if any, has ended: from then on the file has no writer of this
 * process's queue (the checkpointer copies the whole log meanwhile, so that the next write can
 * start it over). Transactions asked for meanwhile wait in the queue; reads go on.
 */
export async function holdWrites(db: Db): Promise<() => void> {
  const client = db.$client;
  const file = client.filename;
  let release!: () => void;
  const held = new Promise<void>((done) => (release = done));
  writeHolds.set(file, held);
  while (client.inTransaction) await new Promise((next) => setImmediate(next));
  return () => {
    if (writeHolds.get(file) === held) writeHolds.delete(file);
    release();
  };
}

/**
 * How long a transaction waits for a write lock another process holds (the CLI, a maintenance
 * tool) before it fails as busy, and how often the lock is tried meanwhile. The waiting is done
 * here, between turns of the event loop, so reads are served all along; SQLite's own busy
 * handler sleeps the thread (the server's connection lets it wait 20 ms only: waitBrieflyForLocks).
 */
const BUSY_WAIT_MS = 5_000;
const BUSY_RETRY_MS = 50;

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
    const held = q.file === null ? undefined : writeHolds.get(q.file);
    if (held) {
      await held;
      continue;
    }
    const client = q.waiting[0]!.client;
    const done: [Waiting, unknown][] = [];
    try {
      client.run("BEGIN IMMEDIATE");
      begun.set(client, (begun.get(client) ?? 0) + 1);
    } catch (e) {
      if (!isSqliteBusy(e)) {
        q.waiting.shift()!.reject(e);
        continue;
      }
      const now = performance.now();
      while (q.waiting.length && now - q.waiting[0]!.since >= BUSY_WAIT_MS) q.waiting.shift()!.reject(e);
      if (q.waiting.length) await new Promise((next) => setTimeout(next, BUSY_RETRY_MS));
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

export type Isolation = NonNullable<TransactionOptions["isolation"]>;
type Begin = <T>(isolation: Isolation, work: (tx: Tx) => Promise<T>) => Promise<T>;
const begins = new WeakMap<object, Begin>();
/** How a PostgreSQL database begins its transactions (store/postgres.ts, which this module does not load on SQLite). */
export const setPostgresBegin = (db: Db, begin: Begin) => void begins.set(db, begin);

/** A transaction, run again while PostgreSQL reports a conflict or a deadlock (up to MAX_ATTEMPTS). */
async function withRetry<T>(db: Db, work: (tx: Tx) => Promise<T>, isolationLevel: Isolation): Promise<T> {
  const begin = begins.get(db)!;
  for (let attempt = 1; ; attempt++) {
    try {
      return await begin(isolationLevel, work);
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

/** Names nested transactions' savepoints uniquely within the process. */
let savepoints = 0;

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
    q.waiting.push({ since: performance.now(), client, db, work, resolve: resolve as (v: unknown) => void, reject });
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
