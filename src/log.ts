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
 * Lines to a file descriptor, batched: under load one write per event-loop turn instead of
 * one per request. What is pending is written synchronously when the process exits.
 */
export function batchedWriter(fd: number): (line: string) => void {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending.length) return;
    const chunk = pending.join("\n") + "\n";
    pending = [];
    try {
      writeSync(fd, chunk);
    } catch {
      // A closed or full log pipe must not take the server down.
    }
  };
  process.once("exit", flush);
  return (line) => {
    pending.push(line);
    if (pending.length >= 256) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

export function createLogger(level: Level = "info", write: (line: string) => void = batchedWriter(1)): Logger {
  const at = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
