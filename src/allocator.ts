/**
 * The allocator setting the server runs with. Bun's allocator (mimalloc) gives back to the
 * system, whenever a thread pauses, the free blocks inside pages still in use ("hole purging").
 * Under load the same memory is wanted again a moment later and each page given back faults in
 * anew: on the 2-core VM of bench/ that was a third of the server's CPU per sealed envelope
 * (docs/decisions.md, "The allocator's hole purging, off in the server"). The server turns it
 * off; whole free pages still go back to the system. The allocator reads its settings from the
 * environment once, before any JavaScript runs, so `serve` replaces its process with itself
 * (the same process id and arguments) with the setting added. A value the operator set is kept:
 * MIMALLOC_PURGE_HOLES=1 keeps Bun's default, for less memory after bursts.
 */
export const HOLE_PURGING = "MIMALLOC_PURGE_HOLES";

/** The command line that starts this program again: Bun's own flags and the script only when run from source. */
export function restartArgs(args: string[], run: { execPath: string; execArgv: string[]; main: string }): string[] {
  return run.main.includes("$bunfs") ? [run.execPath, ...args] : [run.execPath, ...run.execArgv, run.main, ...args];
}

/** For `serve` (the default command) without the setting: the process again, with it. Returns only when nothing was to be done or the restart failed. */
export function restartWithServerAllocator(args: string[]): void {
  if ((args[0] ?? "serve") !== "serve" || process.env[HOLE_PURGING] !== undefined) return;
  try {
    process.execve?.(process.execPath, restartArgs(args, { execPath: process.execPath, execArgv: process.execArgv, main: Bun.main }), { ...process.env, [HOLE_PURGING]: "0" });
  } catch {
    // The server then runs with Bun's default: the same behaviour, more CPU under load.
  }
}
