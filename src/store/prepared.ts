import type { Db, Tx } from "./db";
import { dialectOf } from "./dialect";

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

/** A drizzle session: the connection it runs on, and its dialect (one per database, shared by its transactions). */
interface Session { client: unknown; dialect: object }

/**
 * Statements prepared once per database, for functions that get the caller's transaction (a
 * drizzle transaction is a new object each time and exposes no Db). `build` returns a prepared
 * query or an object of them.
 * - SQLite: a transaction shares its database's session (the one connection), so a statement
 *   prepared through either runs inside the open transaction: kept per session.
 * - PostgreSQL: every transaction has a session of its own, on its reserved connection, so the
 *   statements were built again in every transaction (half the CPU of an envelope creation).
 *   They are built once per database and, for each transaction, rebound to its connection: a
 *   query drizzle prepared runs on its `client`, read when it executes.
 */
export function preparedPerSession<T>(build: (tx: Tx) => T): (tx: Tx) => T {
  const cache = new WeakMap<object, T>();
  const templates = new WeakMap<object, { built: T; client: unknown }>();
  return (tx) => {
    const session = sessionOf(tx);
    let stmt = cache.get(session);
    if (stmt) return stmt;
    if (dialectOf(tx) === "postgres") {
      const { client, dialect } = session as Session;
      let template = templates.get(dialect);
      if (!template) templates.set(dialect, (template = { built: build(tx), client }));
      stmt = template.client === client ? template.built : rebound(template.built, template.client, client);
    } else stmt = build(tx);
    cache.set(session, stmt);
    return stmt;
  };
}

/** `value` with each query bound to connection `from` bound to `to` instead (the query itself shared). */
function rebound<T>(value: T, from: unknown, to: unknown): T {
  if ((value as Partial<Session>).client === from) return Object.create(value as object, { client: { value: to } });
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error("preparedPerSession: build must return a prepared query or an object of them");
  return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, rebound(v, from, to)])) as T;
}
