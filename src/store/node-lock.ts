import type { Db } from "./db";
import { dialectOf, postgresClient } from "./dialect";

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

/**
 * Runs `work` holding the lock named `name` across every node, waiting for it if another node
 * holds it (PostgreSQL: a session advisory lock on a connection reserved meanwhile; SQLite: one
 * process, nothing to hold). For short steps that must not run on two nodes at once.
 */
export async function underNodeLock<T>(db: Db, name: string, work: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== "postgres") return work();
  const connection = await postgresClient(db).reserve();
  try {
    await connection`SELECT pg_advisory_lock(hashtextextended(${name}, 0))`;
    try {
      return await work();
    } finally {
      await connection`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  } finally {
    connection.release();
  }
}
