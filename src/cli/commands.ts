import { ADMIN_USAGE, adminCommand } from "./admin";
import { BACKUP_USAGE, backupCommand, RESTORE_USAGE, restoreCommand } from "./backup";
import { DOCTOR_USAGE, doctorCommand } from "./doctor";
import { KEYS_USAGE, keysCommand } from "./keys";
import { MIGRATE_DATA_USAGE, migrateDataCommand } from "./migrate-data";
import { REMIND_USAGE, remindCommand } from "./remind";
import { SEAL_USAGE, sealCommand } from "./seal";
import { VERIFY_USAGE, verifyCommand } from "./verify";
import { CliError } from "./args";
import { ConfigError, loadConfig, type Config } from "../config";
import { AppError, StartupError } from "../errors";
import { openInstance, type OpenOptions } from "../instance";
import { cliLogger, createLogger, type Level, type Logger } from "../log";
import { networkPolicy } from "../modules/webhooks/network";
import { SignerError } from "../pdf/signer";
import { startServer } from "../server";
import { closeDatabase } from "../store/open";
import { openStorage } from "../store/storage";
import { VERSION } from "../version";
// A path (embedded in the executable), read only by `certyneo licenses`: 150 KB no start needs.
import noticesPath from "../third-party-notices.txt" with { type: "file" };
import { HTTP_THREAD_SLICE_NS, shortenThreadSlice } from "../pdf-worker/thread-priority";

const HELP = `Certyneo ${VERSION} — self-hosted electronic signatures

Usage: certyneo [command]

Commands:
  serve                                  Start the server (default)
       [--accept-new-instance-key]       ... making a new instance.key although envelopes need the lost one
  keys create --env test|live --name N   Create an API key; the key is printed once, alone on the last line
       [--scopes S] [--json]             ... or as {"id","key","env","name","scopes"}
  keys list [--json]                     List API keys
  keys revoke KEY_ID                     Revoke a key (effective on its next request)
  admin create|reset-password --email E --password-stdin
                                         Console accounts (see certyneo admin --help)
  migrate                                Apply database migrations and exit
  migrate-data --to postgres://...       Copy the database into an empty PostgreSQL (or --to DATA_DIR: back to SQLite), verified
  migrate-data --storage s3://B/PREFIX   Copy every file (and the instance secret) to a bucket, SHA-256 checked
  migrate-data --storage DATA_DIR        ... or from the bucket back to a data directory
  backup FILE                            One-file backup (database, instance key, PDFs), safe while the server runs
  restore FILE [--force]                 Restore a backup into an empty data directory (server stopped)
  doctor [--smtp] [--json]               Check configuration, data directory, certificate, SMTP, TSA
  verify FILE.pdf [--json]               Check a PDF's signatures (exit 0 when all hold)
  seal ENVELOPE_ID                       Seal a COMPLETED envelope now (e.g. after a failed seal)
  seal extend [--before DAYS]            New document time-stamp for sealed PDFs whose last one expires within DAYS
  remind ENVELOPE_ID RECIPIENT_ID        Remind a recipient now ([--invitation]: send the invitation again)
  healthcheck                            Exit 0 if the local server answers /healthz (for containers)
  licenses                               The licenses of the third-party software in this executable
  --help, -h                             This help; COMMAND --help: that command's
  --version, -v                          Print the version

Configuration: certyneo.config.ts defaults, overridden by CERTYNEO_* environment
variables (CERTYNEO_PORT, CERTYNEO_HOST, CERTYNEO_DATA_DIR, CERTYNEO_BASE_URL, ...).`;

/** Each command's usage, printed by `certyneo COMMAND --help` (or -h, anywhere after it) and nothing else. */
const USAGE: Record<string, string> = {
  serve: `Usage: certyneo serve [--accept-new-instance-key]

Starts the server (the default command): HTTP API, signer pages, admin console, background
work. Configuration from certyneo.config.ts and CERTYNEO_* variables; logs are JSON lines.

  --accept-new-instance-key   start although instance.key is lost while envelopes need it: a new
                              key is made, signing links already sent stop working and webhook
                              secrets must be recreated (restore the key from a backup instead)`,
  keys: KEYS_USAGE,
  admin: ADMIN_USAGE,
  "migrate-data": MIGRATE_DATA_USAGE,
  migrate: "Usage: certyneo migrate\n\nApplies the database migrations not yet applied, then exits (the server also does it at start).",
  backup: BACKUP_USAGE,
  restore: RESTORE_USAGE,
  doctor: DOCTOR_USAGE,
  verify: VERIFY_USAGE,
  seal: SEAL_USAGE,
  remind: REMIND_USAGE,
  healthcheck: "Usage: certyneo healthcheck\n\nExits 0 when the server on CERTYNEO_PORT answers /healthz (a container's HEALTHCHECK).",
  licenses: "Usage: certyneo licenses\n\nPrints the license of every third-party package bundled into this executable (code, fonts, pdf.js,\nSwagger UI), as the packages ship them.",
};

const out = (line: string) => process.stdout.write(line + "\n");

/** The instance over the storage the configuration names (a bucket is checked first). */
async function open(config: Config, log: Logger, opts: Pick<OpenOptions, "acceptNewInstanceKey"> = {}) {
  return openInstance(config, { ...opts, log });
}

/** One-shot commands keep stdout for their result; warnings go to stderr as plain lines. */
function openForCli() {
  const config = loadConfig();
  return open(config, cliLogger(config.logLevel as Level));
}

/** Why the port could not be opened, as one line naming the setting to change. */
function listenError(e: unknown, config: Config): unknown {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE") return new StartupError(`port ${config.port} on ${config.host} is in use (another server?): stop it or set CERTYNEO_PORT`);
  if (code === "EACCES") return new StartupError(`port ${config.port} needs privileges this process lacks: set CERTYNEO_PORT above 1023`);
  // EINVAL: a name that does not resolve; EADDRNOTAVAIL: an address of another machine.
  if (code === "EINVAL" || code === "EADDRNOTAVAIL")
    return new StartupError(`cannot listen on "${config.host}" (CERTYNEO_HOST): not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its interfaces' addresses`);
  return e;
}

async function serve(args: string[]) {
  const config = loadConfig();
  try {
    networkPolicy(config.webhooks.allowedNetworks);
  } catch (e) {
    throw new ConfigError(`CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: ${(e as Error).message.replace(/^webhooks\.allowedNetworks:\s*/, "")}`);
  }
  const deps = await open(config, createLogger(config.logLevel as Level), { acceptNewInstanceKey: args.includes("--accept-new-instance-key") });
  // A server that cannot seal must not accept envelopes: no request is served until the key has
  // been checked (the port opens meanwhile, which keeps the start fast), and a bad key stops it.
  const keyChecked = deps.sealingKey();
  // The HTTP thread preempts the PDF threads as soon as a request wakes it (thread-priority.ts).
  shortenThreadSlice(HTTP_THREAD_SLICE_NS);
  let running: ReturnType<typeof startServer>;
  try {
    running = startServer(deps, { ready: keyChecked });
  } catch (e) {
    keyChecked.catch(() => {});
    throw listenError(e, config);
  }
  try {
    await keyChecked;
  } catch (e) {
    await running.stop();
    await closeDatabase(deps.db);
    throw e;
  }
  deps.log.info("listening", { url: running.url, baseUrl: deps.config.baseUrl, dataDir: deps.config.dataDir, storage: deps.config.storage.url || undefined, version: VERSION });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info("shutting down", { signal });
    await running.stop();
    await closeDatabase(deps.db);
    deps.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function main(argv: string[]) {
  const [cmd = "serve", ...rest] = argv;
  // A one-shot command read through `| head`: the reader has all it wanted, not a crash report.
  if (cmd !== "serve") process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
  if (USAGE[cmd] && (rest.includes("--help") || rest.includes("-h"))) return out(USAGE[cmd]);
  switch (cmd) {
    case "--help": case "-h": case "help": return out(HELP);
    case "--version": case "-v": case "version": return out(VERSION);
    case "licenses": return void process.stdout.write(await Bun.file(noticesPath).text());
    case "serve": return serve(rest);
    case "migrate": {
      const deps = await openForCli();
      await closeDatabase(deps.db);
      return out("Database is up to date.");
    }
    case "verify": {
      const deps = await openForCli();
      try { process.exitCode = await verifyCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
      return;
    }
    case "seal": {
      const deps = await openForCli();
      try { return await sealCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
    }
    case "migrate-data": {
      const config = loadConfig();
      const log = cliLogger(config.logLevel as Level);
      return migrateDataCommand(config, await openStorage(config, log), rest, out, log);
    }
    case "backup": {
      const deps = await openForCli();
      try { return await backupCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
    }
    case "doctor":
      process.exitCode = await doctorCommand(rest, out);
      return;
    case "restore":
      return restoreCommand(loadConfig(), rest, out);
    case "remind": {
      const deps = await openForCli();
      try { return await remindCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
    }
    case "healthcheck": {
      const config = loadConfig();
      const res = await fetch(`http://127.0.0.1:${config.port}/healthz`).catch(() => null);
      if (!res?.ok) throw new CliError(`no healthy server on port ${config.port}`);
      return out("ok");
    }
    case "admin": {
      const deps = await openForCli();
      try { return await adminCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
    }
    case "keys": {
      const deps = await openForCli();
      try { return await keysCommand(deps, rest, out); } finally { await closeDatabase(deps.db); }
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
