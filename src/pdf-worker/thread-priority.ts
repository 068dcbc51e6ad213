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
import { dlopen, FFIType } from "bun:ffi";

/** glibc's name, then musl's. */
const LIBC = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const PRIO_PROCESS = 0;

/** Lowers the calling thread's priority to nice `nice` (1-19); whether it was done. */
export function lowerThreadPriority(nice: number): boolean {
  if (nice <= 0 || process.platform !== "linux") return false;
  for (const name of LIBC) {
    try {
      const libc = dlopen(name, { setpriority: { args: [FFIType.i32, FFIType.u32, FFIType.i32], returns: FFIType.i32 } });
      try {
        return libc.symbols.setpriority(PRIO_PROCESS, 0, nice) === 0;
      } finally {
        libc.close();
      }
    } catch {
      // not this C library: the next one
    }
  }
  return false;
}
