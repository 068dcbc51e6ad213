import type { Db, Tx } from "./db";

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
