import { writeSync } from "node:fs";

/** The one logger: JSON lines, one object per event. */
export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Lines to stdout (1) or stderr (2), batched: under load one write per event-loop turn instead
 * of one per request. Writes are asynchronous, so a slow log reader never blocks requests;
 * what is pending when the process exits is written synchronously.
 */
export function batchedWriter(fd: 1 | 2): (line: string) => void {
  const stream = fd === 1 ? process.stdout : process.stderr;
  let pending: string[] = [];
  let scheduled = false;
  const take = () => {
    const chunk = pending.join("\n") + "\n";
    pending = [];
    return chunk;
  };
  const flush = () => {
    scheduled = false;
    if (pending.length) stream.write(take());
  };
  process.once("exit", () => {
    if (!pending.length) return;
    try {
      writeSync(fd, take());
    } catch {
      // Exiting anyway: a closed log pipe must not turn into a crash report.
    }
  });
  return (line) => {
    pending.push(line);
    if (pending.length >= 256) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
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
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
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
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
