import { writeSync } from "node:fs";

/** The one logger: JSON lines, one object per event. */
export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** The access-log line of one request (level info, msg "request"). */
  request(line: AccessLine): void;
}

/** What the access log says of a request. `requestId`, `method` and `keyId` hold no character JSON escapes. */
export interface AccessLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  keyId: string | null;
  /** Left out of the line when undefined. */
  ip?: string | null;
}

/** How long a line may wait for others to share its write. */
const BATCH_MS = 10;

/**
 * One writer per descriptor, shared by every logger of the process (each `writer()` opens a
 * descriptor of its own). Bun's own: Node's process.stdout would load Node's streams at start
 * (~10 ms of a cold start). Both queue what a slow reader cannot take yet and never block.
 */
const sinks = new Map<1 | 2, ReturnType<typeof Bun.stdout.writer>>();
function sinkOf(fd: 1 | 2) {
  let sink = sinks.get(fd);
  if (!sink) {
    sinks.set(fd, (sink = (fd === 1 ? Bun.stdout : Bun.stderr).writer()));
    sink.unref();
  }
  return sink;
}

/**
 * Lines to stdout (1) or stderr (2), batched: one write per BATCH_MS (or per 256 lines) instead
 * of one per request, since a write costs as much as the rest of a cached read. Writes are
 * asynchronous, so a slow log reader never blocks requests; what is pending when the process
 * exits is written synchronously.
 */
export function batchedWriter(fd: 1 | 2): (line: string) => void {
  const sink = sinkOf(fd);
  // One string grown by concatenation: flattened once by the write, with no array to join.
  let pending = "";
  let count = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const take = () => {
    const chunk = pending;
    pending = "";
    count = 0;
    return chunk;
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!count) return;
    try {
      sink.write(take());
      // A number when written at once, a promise while a slow reader catches up.
      Promise.resolve(sink.flush()).catch(() => {});
    } catch {
      // The log reader is gone (EPIPE): the lines are lost, not the server, which goes on serving.
    }
  };
  process.once("exit", () => {
    if (!count) return;
    try {
      writeSync(fd, take());
    } catch {
      // Exiting anyway: a closed log pipe must not turn into a crash report.
    }
  });
  return (line) => {
    pending += line + "\n";
    if (++count >= 256) flush();
    else if (!timer) {
      timer = setTimeout(flush, BATCH_MS);
      // The exit handler writes what is pending: the timer need not keep the process alive.
      timer.unref();
    }
  };
}

/** The ISO time of the current millisecond, formatted once however many lines share it. */
let lastMs = 0;
let lastIso = "";
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export function createLogger(level: Level = "info", write: (line: string) => void = batchedWriter(1)): Logger {
  const at = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: isoNow(), level: lvl, msg, ...fields }));
  };
  const requests = RANK.info >= RANK[level];
  return {
    debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"),
    // One line per request: concatenated rather than built as an object and serialised (the
    // log was a quarter of an authenticated GET's time). Same JSON as info("request", line).
    request(l) {
      if (!requests) return;
      write(
        `{"time":"${isoNow()}","level":"info","msg":"request","requestId":"${l.requestId}","method":"${l.method}","path":${JSON.stringify(l.path)}` +
          `,"status":${l.status},"durationMs":${l.durationMs},"keyId":${l.keyId === null ? "null" : `"${l.keyId}"`}` +
          (l.ip === undefined ? "}" : `,"ip":${l.ip === null ? "null" : JSON.stringify(l.ip)}}`),
      );
    },
  };
}

/**
 * For one-shot CLI commands, whose output is for people: warnings and errors as plain lines
 * ("warning: …") on stderr, the rest only at debug level. stdout stays the command's result.
 */
export function cliLogger(level: Level, write: (line: string) => void = (line) => void process.stderr.write(line + "\n")): Logger {
  const threshold = level === "debug" ? "debug" : "warn";
  const at = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (RANK[lvl] < RANK[threshold]) return;
    const extra = Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
    write(`${lvl === "warn" ? "warning" : lvl}: ${msg}${extra ? ` (${extra})` : ""}`);
  };
  // A CLI command serves no request: no access lines.
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), request: () => {} };
}
