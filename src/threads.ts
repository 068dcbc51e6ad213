/**
 * The entry of a worker thread: its source file when run from source; in the compiled binary,
 * the embedded entry point `built` (package.json "build" lists each), beside the main entry in
 * Bun's embedded file system. Found from Bun.main: with --bytecode the bundle is CommonJS and
 * its import.meta.url is the path the source had at build time.
 */
export const threadEntry = (source: URL, built: string): string =>
  Bun.main.includes("$bunfs") ? `file://${Bun.main.slice(0, Bun.main.lastIndexOf("/"))}/${built}` : source.href;
