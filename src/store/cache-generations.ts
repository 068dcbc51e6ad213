/** Generations of the tables whose rows processes keep in memory: a cache is dropped when its table's moves. */
import type { Db } from "./db";

/** The tables whose rows processes keep in memory (migration 0015's triggers move their generation). */
export type CachedTable = "api_keys" | "documents";

const generations = new WeakMap<object, (table: CachedTable) => number>();

/** The generations of a database whose cached tables' changes another mechanism reports (PostgreSQL: LISTEN, store/postgres.ts). */
export const setNotifiedCacheGeneration = (db: Db, generation: (table: CachedTable) => number) => void generations.set(db, generation);

/**
 * SQLite: a function reading the generation `name` has in cache_generations now, at every call
 * (one point read by primary key, ~5-10 µs on this 2-core VM, mostly its read transaction's locks); null while the
 * row is missing. "envelopes" is moved by migration 0017's triggers (list pages).
 */
export function generationReader(db: Db, name: CachedTable | "envelopes"): () => number | null {
  const read = db.$client.prepare<{ generation: number }, [string]>("SELECT generation FROM cache_generations WHERE name = ?");
  return () => read.get(name)?.generation ?? null;
}
const tableGenerations = new WeakMap<object, Map<CachedTable, () => number>>();

/**
 * A number that changes whenever a cached row of `table` changes (updated or deleted; a new row
 * is found by a cache miss), whichever connection or process writes: for the in-memory caches
 * of API keys and documents. SQLite: triggers move the table's row in cache_generations in the
 * writing transaction; reading it costs a statement, so reads within the same millisecond share
 * one, and another process's change shows within a millisecond. PostgreSQL: a counter per table,
 * moved by the nodes' notifications.
 */
export function cacheGeneration(db: Db, table: CachedTable): () => number {
  const notified = generations.get(db);
  if (notified) return () => notified(table);
  let byTable = tableGenerations.get(db);
  if (!byTable) tableGenerations.set(db, (byTable = new Map()));
  let generation = byTable.get(table);
  if (generation) return generation;
  const read = generationReader(db, table);
  let readAt = -Infinity;
  let current = 0;
  generation = () => {
    const now = performance.now();
    if (now - readAt >= 1) {
      current = read() ?? 0;
      readAt = now;
    }
    return current;
  };
  byTable.set(table, generation);
  return generation;
}
