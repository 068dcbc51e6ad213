/**
 * The checkpoint thread (store/checkpointer.ts): its own connection to the SQLite file copies
 * the write-ahead log into the database, with the fsyncs that needs, away from the thread that
 * answers requests. Its own entry point, so `bun build --compile` embeds it (package.json "build").
 */
import { Database } from "bun:sqlite";

/** Start with the database file, or stop: the thread closes its connection and says so. */
export type CheckpointCommand = { file: string; intervalMs: number } | { stop: true };
export type CheckpointReply = { ready: true } | { stopped: true } | { error: string };

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

self.onmessage = ({ data }: MessageEvent<CheckpointCommand>) => {
  if ("stop" in data) {
    // Closed between two rounds, never in one: a thread ended mid-checkpoint would leave its lock
    // on the file held for the rest of the process.
    clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage({ stopped: true } satisfies CheckpointReply);
    return;
  }
  let version, checkpoint;
  try {
    db = new Database(data.file, { readwrite: true, create: false });
    // A checkpoint never waits: what a busy moment leaves, the next round copies.
    db.run("PRAGMA busy_timeout = 0");
    // query(), not prepare(): close() finalizes these, so the connection really closes (one left
    // open would close when the thread's heap goes, checkpointing under whoever opens the file then).
    version = db.query("PRAGMA data_version");
    checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (e) {
    self.postMessage({ error: String(e) } satisfies CheckpointReply);
    return;
  }
  let seen = -1;
  timer = setInterval(() => {
    try {
      // Changes when another connection commits: an idle server does no work here.
      const now = (version.get() as { data_version: number }).data_version;
      if (now === seen) return;
      checkpoint.get();
      seen = now;
    } catch (e) {
      self.postMessage({ error: String(e) } satisfies CheckpointReply);
    }
  }, data.intervalMs);
  self.postMessage({ ready: true } satisfies CheckpointReply);
};
