/**
 * The PDF threads' scheduling priority below the HTTP thread's: on a machine with as many busy
 * PDF threads as cores, the event loop otherwise waits for a core behind them (an authenticated
 * GET's p99 went from 3 to 45 ms while two 100 MB PDFs were sealed on 2 cores).
 *
 * Linux only: each thread there is a task with its own nice value, and setpriority(PRIO_PROCESS,
 * 0, n) changes the calling thread's alone (setpriority(2), "BUGS"); test/pdf-worker-priority
 * checks it on the running kernel through /proc. Raising one's own nice value needs no privilege.
 * Elsewhere (macOS, Windows: the call applies to the whole process) nothing is changed.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readFileSync } from "node:fs";

/** glibc's name, then musl's. */
const LIBC = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const PRIO_PROCESS = 0;
const SYMBOLS = {
  setpriority: { args: [FFIType.i32, FFIType.u32, FFIType.i32], returns: FFIType.i32 },
  syscall: { args: [FFIType.i64, FFIType.i64, FFIType.ptr, FFIType.i64], returns: FFIType.i64 },
} as const;

/** Runs `call` with the C library's functions; false where there is none (not Linux, no libc found). */
function withLibc(call: (libc: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"]) => boolean): boolean {
  if (process.platform !== "linux") return false;
  for (const name of LIBC) {
    let libc: ReturnType<typeof dlopen<typeof SYMBOLS>>;
    try {
      libc = dlopen(name, SYMBOLS);
    } catch {
      continue; // not this C library: the next one
    }
    try {
      return call(libc.symbols);
    } finally {
      libc.close();
    }
  }
  return false;
}

/** Lowers the calling thread's priority to nice `nice` (1-19); whether it was done. */
export function lowerThreadPriority(nice: number): boolean {
  return nice > 0 && withLibc((libc) => libc.setpriority(PRIO_PROCESS, 0, nice) === 0);
}

/** The HTTP thread's slice: the kernel's smallest, 0.1 ms (a cached GET takes a fifth of it). */
export const HTTP_THREAD_SLICE_NS = 100_000;

const SCHED_SETATTR: Partial<Record<NodeJS.Architecture, bigint>> = { x64: 314n, arm64: 274n };

/**
 * Gives the calling thread a short time slice (`ns`, at least 0.1 ms), staying in the normal
 * class at its nice value: from Linux 6.12 (EEVDF with custom slices), a waking thread with a
 * shorter slice than the running one's preempts it at once, instead of waiting up to a tick
 * behind a PDF thread. For the HTTP thread: a request that wakes it is answered while the PDF
 * threads seal. Older kernels accept the call and keep their default; whether it was accepted.
 */
export function shortenThreadSlice(ns: number): boolean {
  const number = SCHED_SETATTR[process.arch];
  if (!number) return false;
  // struct sched_attr, its first version (48 bytes): size, policy SCHED_OTHER, flags, nice, priority, runtime (the slice).
  const attr = new DataView(new ArrayBuffer(48));
  attr.setUint32(0, 48, true);
  attr.setInt32(16, currentNice(), true);
  attr.setBigUint64(24, BigInt(ns), true);
  return withLibc((libc) => libc.syscall(number, 0n, ptr(attr.buffer), 0n) === 0n);
}

/** The calling thread's nice value, which sched_setattr would otherwise reset to 0. */
function currentNice(): number {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[16]);
}
