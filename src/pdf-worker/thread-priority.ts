/**
 * Where the PDF threads run, below the HTTP thread: on a machine with as many busy PDF threads
 * as cores, the event loop otherwise waits for a core behind them (an authenticated GET's p99
 * went from 3 to 45 ms while two 100 MB PDFs were sealed on 2 cores).
 *
 * Linux only: each thread there is a task with its own nice value and CPU set, and
 * setpriority(PRIO_PROCESS, 0, n) and sched_setaffinity(0, ...) change the calling thread's alone
 * (setpriority(2), "BUGS"; sched_setaffinity(2)); test/pdf-worker-priority checks both on the
 * running kernel through /proc. Neither needs a privilege (a thread may lower its own priority
 * and narrow its own CPU set). Elsewhere (macOS, Windows: the calls apply to the whole process,
 * or do not exist) nothing is changed.
 */
import { dlopen, FFIType } from "bun:ffi";

/** glibc's name, then musl's. */
const LIBC = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const PRIO_PROCESS = 0;
/** Bytes of a CPU set as glibc's cpu_set_t holds it: 1,024 CPUs. */
const CPU_SET_BYTES = 128;

const SYMBOLS = {
  setpriority: { args: [FFIType.i32, FFIType.u32, FFIType.i32], returns: FFIType.i32 },
  sched_getaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  sched_setaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
} as const;

type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

/** `call` with the C library's functions (Linux only); false when there is none to call. */
function withLibc(call: (libc: Libc) => boolean): boolean {
  if (process.platform !== "linux") return false;
  for (const name of LIBC) {
    let libc;
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
export const lowerThreadPriority = (nice: number): boolean =>
  nice > 0 && withLibc((libc) => libc.setpriority(PRIO_PROCESS, 0, nice) === 0);

/**
 * Keeps the calling thread off the lowest-numbered core it may run on, when it may run on two
 * or more; whether it was done. The event loop keeps every core: the scheduler wakes it on the
 * core the PDF threads leave, instead of behind one of them (a lower priority alone still let a
 * PDF thread take the event loop's core for up to a scheduler tick whenever another thread had
 * just woken there).
 */
export const leaveOneCore = (): boolean =>
  withLibc((libc) => {
    const set = new Uint8Array(CPU_SET_BYTES);
    if (libc.sched_getaffinity(0, CPU_SET_BYTES, set) !== 0) return false;
    const first = set.findIndex((byte) => byte !== 0);
    if (first < 0) return false;
    const lowest = set[first]! & -set[first]!;
    set[first]! ^= lowest;
    if (set.every((byte) => byte === 0)) return false; // one core only: nothing to leave
    return libc.sched_setaffinity(0, CPU_SET_BYTES, set) === 0;
  });
