import type { Worker as BackgroundWorker } from "../jobs/worker";
import type { Logger } from "../log";
import { threadEntry } from "../threads";
import { dialectOf, type Db } from "./db";
import type { CheckpointCommand, CheckpointReply } from "./checkpoint-thread";

const ENTRY = threadEntry(new URL("./checkpoint-thread.ts", import.meta.url), "store/checkpoint-thread.js");
/** How long stop() waits for the thread to close its connection (a round takes milliseconds). */
const STOP_WAIT_MS = 2000;
/** SQLite's own threshold (pages of the log), restored whenever the thread is not running. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * Checkpoints of the server's SQLite database on a thread of their own. By default the commit
 * that grows the write-ahead log past 1,000 pages copies it into the database itself, fsyncs
 * included, on the thread that answers requests: measured, that cost an envelope creation
 * ~1.1 ms on average. While the thread runs, the server's connection leaves checkpoints to it
 * (wal_autocheckpoint = 0); if the thread cannot start or fails, SQLite's default comes back.
 * PostgreSQL and in-memory databases have nothing to do here.
 */
export function createCheckpointer(db: Db, log: Logger, intervalMs = 200): BackgroundWorker {
  let thread: Worker | null = null;
  const fallBack = () => void db.$client.run(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  return {
    name: "checkpointer",
    start() {
      const file = dialectOf(db) === "sqlite" ? db.$client.filename : "";
      if (thread || !file || file === ":memory:") return;
      const t = (thread = new Worker(ENTRY));
      // Never what keeps the process alive.
      (t as Worker & { unref(): void }).unref();
      t.addEventListener("message", ({ data }: MessageEvent<CheckpointReply>) => {
        if (thread !== t) return;
        if ("ready" in data) db.$client.run("PRAGMA wal_autocheckpoint = 0");
        else if ("error" in data) {
          log.warn("sqlite checkpoint thread failed; checkpoints run on commit again", { error: data.error });
          fallBack();
          void t.terminate();
          thread = null;
        }
      });
      t.addEventListener("error", (event: ErrorEvent) => {
        log.warn("sqlite checkpoint thread failed; checkpoints run on commit again", { error: event.message });
        fallBack();
        thread = null;
      });
      t.postMessage({ file, intervalMs } satisfies CheckpointCommand);
    },
    async stop() {
      const t = thread;
      thread = null;
      if (!t) return;
      fallBack();
      // The thread closes its connection first; a thread that does not answer is ended anyway.
      await new Promise<void>((done) => {
        const timeout = setTimeout(done, STOP_WAIT_MS);
        t.addEventListener("message", ({ data }: MessageEvent<CheckpointReply>) => {
          if ("stopped" in data) {
            clearTimeout(timeout);
            done();
          }
        });
        t.addEventListener("error", () => done());
        t.postMessage({ stop: true } satisfies CheckpointCommand);
      });
      await t.terminate();
    },
  };
}
