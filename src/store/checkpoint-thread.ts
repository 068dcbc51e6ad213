/**
 * The checkpoint thread (store/checkpointer.ts): its own connection to the SQLite file copies
 * the write-ahead log into the database, with the fsyncs that needs, away from the thread that
 * answers requests. Its own entry point, so `bun build --compile` embeds it (package.json "build").
 */
import { Database } from "bun:sqlite";

/**
 * Start with the database file; copy the whole log now (the server holds its writes meanwhile);
 * or stop: the thread closes its connection and says so.
 */
export type CheckpointCommand = { file: string; intervalMs: number; maxLogBytes: number } | { catchUp: true } | { stop: true };
/** `behind`: the log has grown past maxLogBytes; `caughtUp`: the catch-up round is done (`whole`: it copied every frame). */
export type CheckpointReply = { ready: true } | { behind: true } | { caughtUp: true; whole: boolean } | { stopped: true } | { error: string };

declare const self: Worker;

/** What `PRAGMA wal_checkpoint` answers: frames in the log, and how many of them are in the database file now. */
interface CheckpointRow { busy: number; log: number; checkpointed: number }

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
let checkpoint: { get(): unknown } | undefined;
/** Set once `behind` is said, until the catch-up: the server is asked once per long log. */
let behind = false;

const fail = (e: unknown) => self.postMessage({ error: String(e) } satisfies CheckpointReply);

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
  if ("catchUp" in data) {
    try {
      const row = checkpoint?.get() as CheckpointRow | undefined;
      behind = false;
      self.postMessage({ caughtUp: true, whole: row !== undefined && row.checkpointed === row.log } satisfies CheckpointReply);
    } catch (e) {
      fail(e);
    }
    return;
  }
  let version, maxFrames;
  try {
    db = new Database(data.file, { readwrite: true, create: false });
    // A checkpoint never waits: what a busy moment leaves, the next round copies.
    db.run("PRAGMA busy_timeout = 0");
    maxFrames = data.maxLogBytes / (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
    // query(), not prepare(): close() finalizes these, so the connection really closes (one left
    // open would close when the thread's heap goes, checkpointing under whoever opens the file then).
    version = db.query("PRAGMA data_version");
    checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (e) {
    fail(e);
    return;
  }
  let seen = -1;
  timer = setInterval(() => {
    try {
      // Changes when another connection commits: an idle server does no work here.
      const now = (version.get() as { data_version: number }).data_version;
      if (now === seen) return;
      const row = checkpoint!.get() as CheckpointRow;
      seen = now;
      // Under steady writes a round never copies the frames written during it, so SQLite never
      // starts the log over and it grows without end: past the bound, the server is asked to
      // hold its writes for one round that copies the rest. One more round first copies those
      // written during this one, so that little is left to copy while writes wait.
      if (!behind && row.log > maxFrames) {
        checkpoint!.get();
        behind = true;
        self.postMessage({ behind: true } satisfies CheckpointReply);
      }
    } catch (e) {
      fail(e);
    }
  }, data.intervalMs);
  self.postMessage({ ready: true } satisfies CheckpointReply);
};
