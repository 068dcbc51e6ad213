/** What Linux's /proc says of a process: its CPU time and its memory, for tests and benches. */
import { readFileSync } from "node:fs";

/** CPU seconds (user + system) a process, or one of its threads, has used (clock ticks of 10 ms). */
export function cpuSeconds(pid: number, tid?: string): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
  // After the name, which may itself hold ") ".
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * A memory field of a process's status (VmRSS, VmHWM...) in bytes, or undefined where the kernel
 * does not show it (a process that has exited and is not reaped yet).
 */
export function shownMemoryBytes(pid: number | "self", field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : undefined;
}

/** shownMemoryBytes of a process that runs: a field it does not show is an error, never a zero to measure against. */
export function memoryBytes(pid: number | "self", field: string): number {
  const bytes = shownMemoryBytes(pid, field);
  if (bytes === undefined) throw new Error(`/proc/${pid}/status shows no ${field}`);
  return bytes;
}
