import { statSync } from "node:fs";
import type { Worker as BackgroundWorker } from "../jobs/worker";
import type { Logger } from "../log";
import { threadEntry } from "../threads";
import type { Db } from "./db";
import { dialectOf } from "./dialect";
import { holdWrites, onCommit } from "./transaction";
import type { CheckpointCommand, CheckpointReply } from "./checkpoint-thread";

const ENTRY = threadEntry(new URL("./checkpoint-thread.ts", import.meta.url), "store/checkpoint-thread.js");
/** How long stop() waits for the thread to close its connection (a round takes milliseconds). */
const STOP_WAIT_MS = 2000;
/** SQLite's own threshold (pages of the log), restored whenever the thread is not running. */
const AUTO_CHECKPOINT_PAGES = 1000;

/** The log's size from which a commit starts the thread (SQLite's own checkpoint comes at ~4 MB). */
const START_BYTES = 1024 * 1024;
/**
 * The log's bound under steady writes: past it, writes wait for one round that copies the rest
 * (see catchUp). The size journal_size_limit keeps a log at (store/db.ts), so a log that starts
 * over is reused as it is, never cut back.
 */
const MAX_LOG_BYTES = 64 * 1024 * 1024;
/** The longest writes are held for a catch-up: a thread that does not answer by then is not waited for. */
const CATCH_UP_WAIT_MS = 1000;
/** By default, a thread with no commit to copy for this long is stopped: an idle server does not keep it. */
const IDLE_MS = 5 * 60_000;

/**
 * Checkpoints of the server's SQLite database on a thread of their own. By default the commit
 * that grows the write-ahead log past 1,000 pages copies it into the database itself, fsyncs
 * included, on the thread that answers requests: measured, that cost an envelope creation
 * ~1.1 ms on average. The thread starts once a commit leaves the log past START_BYTES (a
 * server that writes little never needs it) and stops after `idleMs` without a commit; while it runs, the server's connection leaves checkpoints to it
 * (wal_autocheckpoint = 0). If the thread cannot start or fails, SQLite's default comes back.
 * PostgreSQL and in-memory databases have nothing to do here.
 */
export function createCheckpointer(db: Db, log: Logger, { intervalMs = 200, idleMs = IDLE_MS, startBytes = START_BYTES, maxLogBytes = MAX_LOG_BYTES } = {}): BackgroundWorker {
  let thread: Worker | null = null;
  let unsubscribe = () => {};
  let lastCommit = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const fallBack = () => void db.$client.run(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);

  function failed(t: Worker, error: string) {
    if (thread !== t) return;
    log.warn("sqlite checkpoint thread failed; checkpoints run on commit again", { error });
    fallBack();
    void t.terminate();
    thread = null;
  }

  function spawn(file: string) {
    const t = (thread = new Worker(ENTRY));
    // Never what keeps the process alive.
    (t as Worker & { unref(): void }).unref();
    t.addEventListener("message", ({ data }: MessageEvent<CheckpointReply>) => {
      if (thread !== t) return;
      if ("ready" in data) db.$client.run("PRAGMA wal_autocheckpoint = 0");
      else if ("behind" in data) void catchUp(t);
      else if ("error" in data) failed(t, data.error);
    });
    t.addEventListener("error", (event: ErrorEvent) => failed(t, event.message));
    t.postMessage({ file, intervalMs, maxLogBytes } satisfies CheckpointCommand);
  }

  /**
   * SQLite starts the log over at a write that finds it wholly copied; under steady writes the
   * thread's rounds never catch up with them, and the log grew by ~75 MB a second of envelope
   * creations, then the write that finally started it over truncated it on the event loop (a
   * quarter of a second for 750 MB). So once the log is past its bound, writes wait (reads go
   * on) while the thread copies what its last round left, a few milliseconds' worth.
   */
  async function catchUp(t: Worker) {
    const started = performance.now();
    const resume = await holdWrites(db);
    let whole = false;
    try {
      await new Promise<void>((done) => {
        const timeout = setTimeout(finish, CATCH_UP_WAIT_MS);
        function finish() {
          clearTimeout(timeout);
          t.removeEventListener("message", onReply);
          done();
        }
        function onReply({ data }: MessageEvent<CheckpointReply>) {
          if (!("caughtUp" in data || "stopped" in data || "error" in data)) return;
          whole = "caughtUp" in data && data.whole;
          finish();
        }
        t.addEventListener("message", onReply);
        t.postMessage({ catchUp: true } satisfies CheckpointCommand);
      });
    } finally {
      resume();
    }
    log.debug("sqlite log copied with writes held", { ms: Math.round(performance.now() - started), whole });
  }

  /** Ends the thread: it closes its connection first (one ended mid-checkpoint would keep the file locked). */
  async function end() {
    const t = thread;
    thread = null;
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (!t) return;
    fallBack();
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
  }

  function whenIdle() {
    const quiet = performance.now() - lastCommit;
    idleTimer = quiet >= idleMs ? undefined : setTimeout(whenIdle, idleMs - quiet);
    (idleTimer as { unref?: () => void } | undefined)?.unref?.();
    if (quiet >= idleMs) void end();
  }

  return {
    name: "checkpointer",
    start() {
      const file = dialectOf(db) === "sqlite" ? db.$client.filename : "";
      if (!file || file === ":memory:") return;
      unsubscribe();
      const logSize = () => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
      unsubscribe = onCommit(db, () => {
        lastCommit = performance.now();
        if (!thread && logSize() < startBytes) return;
        if (!thread) spawn(file);
        if (!idleTimer) whenIdle();
      });
    },
    async stop() {
      unsubscribe();
      await end();
    },
  };
}
