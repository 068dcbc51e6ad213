/**
 * The allocator setting the server runs with. Bun's allocator (mimalloc) gives back to the
 * system, whenever a thread pauses, the free blocks inside pages still in use ("hole purging");
 * under load they are wanted again at once and fault in anew, which cost a third of the server's
 * CPU per sealed envelope on the bench's VM (docs/decisions.md, "The allocator's hole purging,
 * off in the server"). The allocator reads the setting from the environment as the process
 * starts, so `serve` replaces its process with itself (same process id and arguments) with it
 * added. An operator's own value is kept: MIMALLOC_PURGE_HOLES=1 is Bun's default.
 */
const HOLE_PURGING = "MIMALLOC_PURGE_HOLES";

/** The command line that starts this program again: Bun's own flags and the script only when run from source. */
function restartArgs(args: string[]): string[] {
  const { execPath, execArgv } = process;
  return Bun.main.includes("$bunfs") ? [execPath, ...args] : [execPath, ...execArgv, Bun.main, ...args];
}

/** For `serve` (the default command) without the setting: the process again, with it. Returns only when nothing was to be done or the restart failed. */
export function restartWithServerAllocator(args: string[]): void {
  if ((args[0] ?? "serve") !== "serve" || process.env[HOLE_PURGING] !== undefined) return;
  try {
    process.execve?.(process.execPath, restartArgs(args), { ...process.env, [HOLE_PURGING]: "0" });
  } catch {
    // The server then runs with Bun's default: the same behaviour, more CPU under load.
  }
}
