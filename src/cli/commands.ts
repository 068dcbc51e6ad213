/**
 * The command line's dispatch. Each command loads what it needs when it runs: `--help`,
 * `--version` and `healthcheck` (a container's, every few seconds) load none of the program.
 */
import { CliError, refuseUnknownOptions } from "./args";
import { HELP, OPTIONS, USAGE } from "./usage";
import { ConfigError, loadConfig } from "../config";
import type { Deps } from "../deps";
import { AppError, SignerError, StartupError } from "../errors";
import { cliLogger, type Level } from "../log";
import { VERSION } from "../version";
// A path (embedded in the executable), read only by `certyneo licenses`: 150 KB no start needs.
import noticesPath from "../third-party-notices.txt" with { type: "file" };

const out = (line: string) => process.stdout.write(line + "\n");

/**
 * Runs a one-shot command on the instance over the storage the configuration names, then closes
 * its database. Warnings go to stderr as plain lines: stdout is the command's result.
 */
async function withInstance(run: (deps: Deps) => Promise<unknown>): Promise<void> {
  const [{ openInstance }, { closeDatabase }] = await Promise.all([import("../instance"), import("../store/open")]);
  const config = loadConfig();
  const deps = await openInstance(config, { log: cliLogger(config.logLevel as Level) });
  try {
    await run(deps);
  } finally {
    await closeDatabase(deps.db);
  }
}

async function main(argv: string[]) {
  const [cmd = "serve", ...rest] = argv;
  // A one-shot command read through `| head`: the reader has all it wanted, not a crash report.
  if (cmd !== "serve") process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
  if (USAGE[cmd] && (rest.includes("--help") || rest.includes("-h"))) return out(USAGE[cmd]);
  if (OPTIONS[cmd]) refuseUnknownOptions(cmd, rest, OPTIONS[cmd]);
  switch (cmd) {
    case "--help": case "-h": case "help": return out(HELP);
    case "--version": case "-v": case "version": return out(VERSION);
    case "licenses": return void process.stdout.write(await Bun.file(noticesPath).text());
    case "serve": return (await import("./serve")).serveCommand(rest);
    case "migrate": return withInstance(async () => out("Database is up to date."));
    case "verify": {
      const { verifyCommand } = await import("./verify");
      return withInstance(async (deps) => (process.exitCode = await verifyCommand(deps, rest, out)));
    }
    case "seal": {
      const { sealCommand } = await import("./seal");
      return withInstance((deps) => sealCommand(deps, rest, out));
    }
    case "migrate-data": {
      const [{ migrateDataCommand }, { openStorage }] = await Promise.all([import("./migrate-data"), import("../store/storage")]);
      const config = loadConfig();
      const log = cliLogger(config.logLevel as Level);
      return migrateDataCommand(config, await openStorage(config, log), rest, out, log);
    }
    case "backup": {
      const { backupCommand } = await import("./backup");
      return withInstance((deps) => backupCommand(deps, rest, out));
    }
    case "doctor":
      process.exitCode = await (await import("./doctor")).doctorCommand(rest, out);
      return;
    case "restore":
      return (await import("./backup")).restoreCommand(loadConfig(), rest, out);
    case "remind": {
      const { remindCommand } = await import("./remind");
      return withInstance((deps) => remindCommand(deps, rest, out));
    }
    case "healthcheck": {
      const config = loadConfig();
      const res = await fetch(`http://127.0.0.1:${config.port}/healthz`).catch(() => null);
      if (!res?.ok) throw new CliError(`no healthy server on port ${config.port}`);
      return out("ok");
    }
    case "admin": {
      const { adminCommand } = await import("./admin");
      return withInstance((deps) => adminCommand(deps, rest, out));
    }
    case "keys": {
      const { keysCommand } = await import("./keys");
      return withInstance((deps) => keysCommand(deps, rest, out));
    }
    default:
      throw new CliError(`unknown command "${cmd}"; see certyneo --help`);
  }
}

/** Runs the command `argv` names; a user's mistake is one line on stderr and exit code 2. */
export function runCli(argv: string[]): void {
  main(argv).catch((e) => {
    if (e instanceof ConfigError || e instanceof CliError || e instanceof SignerError || e instanceof AppError || e instanceof StartupError) {
      process.stderr.write(`certyneo: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`certyneo: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
