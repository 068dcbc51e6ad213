/**
 * A stored file is shared by every row with the same bytes, so whether it may go is decided by
 * reading those rows. An upload that finds the file already there does not write it; a removal
 * that found no row needing it removes it. Interleaved, the two lost a file: the removal read no
 * row, the upload found the file and wrote its row, the removal then removed the file under it.
 * These two steps run here alone per file: in this process one after the other (SQLite has no
 * other writer), and on PostgreSQL under a transaction-scoped advisory lock of the file's hash,
 * across nodes.
 */
import { sql } from "drizzle-orm";
import type { Db, Tx } from "./db";
import { dialectOf } from "./dialect";
import type { FileStore } from "./files";
import { transaction, type TransactionOptions } from "./transaction";

/** Per store, SHA-256 → the step running for that file in this process. */
const stepsOf = new WeakMap<FileStore, Map<string, Promise<unknown>>>();

function oneAtATime<T>(files: FileStore, sha: string, step: () => Promise<T>): Promise<T> {
  let steps = stepsOf.get(files);
  if (!steps) stepsOf.set(files, (steps = new Map()));
  const run = (steps.get(sha) ?? Promise.resolve()).then(step);
  const settled = run.catch(() => {});
  steps.set(sha, settled);
  void settled.then(() => { if (steps.get(sha) === settled) steps.delete(sha); });
  return run;
}

const advisoryLock = (tx: Tx, sha: string) => (tx as unknown as { execute(q: unknown): Promise<unknown> }).execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${sha}, 0))`);

/**
 * Writes the rows that need file `sha` (`write`, in a transaction) and makes sure the file is
 * there, written from `bytes` when it is not, alone against removals of that file.
 */
export function keepBlob<T>(db: Db, files: FileStore, sha: string, bytes: Uint8Array, write: (tx: Tx) => Promise<T>, opts?: TransactionOptions): Promise<T> {
  return oneAtATime(files, sha, async () => {
    await files.put(bytes, sha);
    if (dialectOf(db) !== "postgres") return transaction(db, write, opts);
    const written = await transaction(db, async (tx) => {
      await advisoryLock(tx, sha);
      return write(tx);
    }, opts);
    // A removal on another node may have held the lock between the put above and this commit.
    await files.put(bytes, sha);
    return written;
  });
}

/**
 * Removes file `sha` unless `needed` (read now, alone against uploads of that file) finds a row
 * that still needs it. On PostgreSQL the file goes while the lock is held, in a transaction that
 * writes nothing: its commit failing loses nothing.
 */
export function removeBlobUnlessNeeded(db: Db, files: FileStore, sha: string, needed: (tx: Tx) => Promise<boolean>): Promise<boolean> {
  return oneAtATime(files, sha, async () => {
    if (dialectOf(db) !== "postgres") {
      if (await needed(db)) return false;
      await files.remove(sha);
      return true;
    }
    return transaction(db, async (tx) => {
      await advisoryLock(tx, sha);
      if (await needed(tx)) return false;
      await files.remove(sha);
      return true;
    }, { isolation: "read committed" });
  });
}
