/**
 * The checkpoint thread (store/checkpointer.ts): its own connection to the SQLite file copies
 * the write-ahead log into the database, with the fsyncs that needs, away from the thread that
 * answers requests. Its own entry point, so `bun build --compile` embeds it (package.json "build").
 */
import { Database } from "bun:sqlite";

export interface CheckpointStart { file: string; intervalMs: number }
export type CheckpointReply = { ready: true } | { ready?: undefined; error: string };

declare const self: Worker;

self.onmessage = ({ data }: MessageEvent<CheckpointStart>) => {
  let db: Database;
  try {
    db = new Database(data.file, { readwrite: true, create: false });
    // A checkpoint never waits: what a busy moment leaves, the next round copies.
    db.run("PRAGMA busy_timeout = 0");
  } catch (e) {
    self.postMessage({ error: String(e) } satisfies CheckpointReply);
    return;
  }
  const version = db.prepare("PRAGMA data_version");
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  let seen = -1;
  setInterval(() => {
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
