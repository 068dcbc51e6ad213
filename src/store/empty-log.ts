import type { Logger } from "../log";
import type { Db } from "./db";
import { dialectOf } from "./dialect";

/** How many times a busy log is tried again, and how long apart. */
const TRIES = 20;
const PAUSE_MS = 50;

/**
 * After an erasure: SQLite's write-ahead log may still hold copies of the erased rows' pages as
 * they were before it, in frames that later writes reuse only as the log starts over (it keeps
 * its size, store/db.ts), so on a quiet server maybe never. secure_delete zeroes the rows in the
 * pages the erasure writes, not in those older frames. This copies the log into the database
 * file and cuts it to nothing (a TRUNCATE checkpoint): what is left to copy is the little the
 * checkpoints have not, so it takes milliseconds. It waits for another connection's read or
 * checkpoint no longer than the serving connection's busy timeout (20 ms), then tries again
 * later; a statement of this connection still running (SQLITE_LOCKED) is waited for the same
 * way. The erasure has committed whatever happens here: a log that could not be emptied is said
 * in the server's log, not to the caller. PostgreSQL: nothing to do here (its dead rows wait for
 * autovacuum, docs/admin.md).
 */
export async function emptyLog(db: Db, log: Logger): Promise<void> {
  if (dialectOf(db) !== "sqlite" || db.$client.filename === ":memory:") return;
  let last = "busy";
  for (let i = 0; i < TRIES; i++) {
    // Not inside a transaction of the shared connection (SQLite refuses a checkpoint there).
    if (!db.$client.inTransaction) {
      try {
        const row = db.$client.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number };
        if (!row.busy) return;
      } catch (e) {
        last = String((e as { code?: string }).code ?? e);
        if (last !== "SQLITE_LOCKED" && last !== "SQLITE_BUSY") break;
      }
    }
    await Bun.sleep(PAUSE_MS);
  }
  log.warn("the write-ahead log could not be emptied after an erasure: copies of erased rows stay in it until SQLite writes over them", { last });
}
