import type { Db } from "./db";
import { dialectOf, postgresClient } from "./dialect";

/**
 * Runs `work` holding the lock named `name` across every node: PostgreSQL, a session advisory
 * lock on a connection reserved meanwhile, taken at once or waited for (`wait`); SQLite, one
 * process, nothing to hold. "busy" when the lock was not waited for and another node holds it.
 */
async function holdingNodeLock<T>(db: Db, name: string, wait: boolean, work: () => Promise<T>): Promise<{ done: T } | "busy"> {
  if (dialectOf(db) !== "postgres") return { done: await work() };
  const connection = await postgresClient(db).reserve();
  try {
    if (wait) await connection`SELECT pg_advisory_lock(hashtextextended(${name}, 0))`;
    else if (!(await connection`SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS locked`)[0].locked) return "busy";
    try {
      return { done: await work() };
    } finally {
      await connection`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  } finally {
    connection.release();
  }
}

/** Runs `work` holding the lock named `name` across every node, or returns `busy` at once when another node holds it. */
export const withNodeLock = <T>(db: Db, name: string, work: () => Promise<T>) => holdingNodeLock(db, name, false, work);

/** Runs `work` holding the lock named `name` across every node, waiting for it: for short steps that must not run on two nodes at once. */
export async function underNodeLock<T>(db: Db, name: string, work: () => Promise<T>): Promise<T> {
  return ((await holdingNodeLock(db, name, true, work)) as { done: T }).done;
}
