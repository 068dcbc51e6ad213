import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import { BunSQLSession, BunSQLTransaction } from "drizzle-orm/bun-sql/session";
import type { PgDialect } from "drizzle-orm/pg-core";
import * as pgMigrations from "../../migrations/postgres";
import { sha256Hex } from "../ids";
import type { Logger } from "../log";
import { refuseNewerSchema, type Db, type Tx } from "./db";
import type { CachedTable } from "./cache-generations";
import { postgresClient } from "./dialect";
import { setPostgresBegin, type Isolation } from "./transaction";

/** Connects to PostgreSQL (a pool of `max` connections); the domain sees the same Db type as for SQLite. */
export function openPostgres(url: string, opts: { max?: number } = {}): Db {
  const client = new SQL(url, { max: opts.max ?? 10, idleTimeout: 60, connectionTimeout: 10 });
  const db = drizzle({ client }) as unknown as Db;
  setPostgresBegin(db, (isolation, work) => begin(db, isolation, work));
  return db;
}

/**
 * A drizzle transaction whose isolation is set by its BEGIN: drizzle's own sends `SET
 * TRANSACTION` as a second statement, built anew each time (one more round trip, and ~50 µs of
 * the event loop, in every transaction). Its session is made as drizzle makes it.
 */
function begin<T>(db: Db, isolation: Isolation, work: (tx: Tx) => Promise<T>): Promise<T> {
  const root = (db as unknown as { session: { dialect: PgDialect; schema: any; options: any } }).session;
  return postgresClient(db).begin(`isolation level ${isolation}`, (client) => {
    const session = new BunSQLSession(client, root.dialect, root.schema, root.options);
    return work(new BunSQLTransaction(root.dialect, session, root.schema) as unknown as Tx);
  }) as Promise<T>;
}

/** How many migrations drizzle has recorded (none before the first). */
async function appliedMigrations(client: SQL): Promise<number> {
  const [row] = await client`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`.catch(() => [{ n: 0 }]);
  return row.n;
}

/**
 * Names in every script are stored, and the console's search decomposes them (normalize): both
 * need UTF-8, which a database made from template0 with another encoding lacks.
 */
export async function assertUtf8(client: SQL): Promise<void> {
  const [{ server_encoding: encoding }] = await client`SHOW server_encoding`;
  if (encoding !== "UTF8") throw new Error(`its encoding is ${encoding}; Certyneo needs UTF8 (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)`);
}

/** Any fixed number: the key of the advisory lock that makes nodes starting together migrate one after another. */
const MIGRATION_LOCK = 0x6365_7274;

/**
 * Applies the embedded PostgreSQL migrations not yet applied; returns how many ran. Nodes that
 * start together wait on an advisory lock held on one reserved connection, so one migrates and
 * the others then find nothing to do.
 */
export async function migratePostgres(db: Db): Promise<number> {
  const migrations = pgMigrations.migrationJournal.map((entry) => {
    const text = pgMigrations.migrationSql[entry.tag];
    if (text === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded (migrations/postgres/index.ts)`);
    return { sql: text.split("--> statement-breakpoint"), bps: entry.breakpoints, folderMillis: entry.when, hash: sha256Hex(text) };
  });
  const connection = await postgresClient(db).reserve();
  try {
    await assertUtf8(connection as unknown as SQL);
    await connection`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    const locked = drizzle({ client: connection as unknown as SQL }) as any;
    const before = await appliedMigrations(connection as unknown as SQL);
    const [latest] = await connection`SELECT max(created_at)::text AS at FROM drizzle.__drizzle_migrations`.catch(() => [{ at: null }]);
    refuseNewerSchema(latest.at === null ? null : Number(latest.at), pgMigrations.migrationJournal);
    await locked.dialect.migrate(migrations, locked.session, {});
    return (await appliedMigrations(connection as unknown as SQL)) - before;
  } finally {
    await connection`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    connection.release();
  }
}

/** How many migrations the database has applied and how many the binary knows (doctor). */
export async function postgresMigrationState(db: Db): Promise<{ applied: number; known: number }> {
  return { applied: await appliedMigrations(postgresClient(db)), known: pgMigrations.migrationJournal.length };
}

/**
 * For each cached table, a number that changes whenever any node changes one of its rows: the
 * tables' triggers NOTIFY certyneo_cache with the table's name (migrations/postgres/0001, 0013)
 * when the change commits, so a document's deletion leaves the API-key cache alone. Until the
 * LISTEN is acknowledged every call returns a new number (caches hold nothing); Bun's client
 * re-subscribes a dropped LISTEN connection, and each re-subscription (or a payload naming no
 * cached table) drops every cache once.
 */
export function postgresCacheGeneration(db: Db, log?: Logger): (table: CachedTable) => number {
  const counters: Record<CachedTable, number> = { api_keys: 0, documents: 0 };
  const bumpAll = () => void (Object.keys(counters) as CachedTable[]).forEach((t) => counters[t]++);
  let listening = false;
  postgresClient(db)
    .listen("certyneo_cache", (table) => (Object.hasOwn(counters, table) ? counters[table as CachedTable]++ : bumpAll()), () => { bumpAll(); listening = true; })
    .then((subscription) => closers.set(db, () => subscription.unlisten()))
    .catch((e: Error) => log?.warn("LISTEN certyneo_cache failed: API keys and documents are read from the database on every request", { error: e.message }));
  return (table) => (listening ? counters[table] : ++counters[table]);
}

const closers = new WeakMap<object, () => Promise<void>>();

export async function closePostgres(db: Db) {
  await closers.get(db)?.().catch(() => {});
  await postgresClient(db).close({ timeout: 5 });
}
