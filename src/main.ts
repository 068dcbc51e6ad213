#!/usr/bin/env bun
import { keysCommand } from "./cli/keys";
import { sealCommand } from "./cli/seal";
import { verifyCommand } from "./cli/verify";
import { CliError } from "./cli/args";
import { ConfigError, loadConfig } from "./config";
import { AppError } from "./errors";
import { openInstance } from "./instance";
import { batchedWriter, createLogger, type Level } from "./log";
import { SignerError } from "./pdf/signer";
import { startServer } from "./server";
import { VERSION } from "./version";

const HELP = `Certyneo ${VERSION} — self-hosted electronic signatures

Usage: certyneo [command]

Commands:
  serve                                  Start the server (default)
  keys create --env test|live --name N   Create an API key; the key is printed once, alone on the last line
       [--json]                          ... or as {"id","key","env","name"}
  keys list [--json]                     List API keys
  keys revoke KEY_ID                     Revoke a key (effective on its next request)
  migrate                                Apply database migrations and exit
  verify FILE.pdf [--json]               Check a PDF's signatures (exit 0 when all hold)
  seal ENVELOPE_ID                       Seal a COMPLETED envelope now (e.g. after a failed seal)
  seal extend [--before DAYS]            New document time-stamp for sealed PDFs whose last one expires within DAYS
  healthcheck                            Exit 0 if the local server answers /healthz (for containers)
  --help, -h                             This help
  --version, -v                          Print the version

Configuration: certyneo.config.ts defaults, overridden by CERTYNEO_* environment
variables (CERTYNEO_PORT, CERTYNEO_HOST, CERTYNEO_DATA_DIR, CERTYNEO_BASE_URL, ...).`;

const out = (line: string) => process.stdout.write(line + "\n");

/** Commands other than serve keep stdout for their result; their log lines go to stderr. */
function openForCli() {
  const config = loadConfig();
  return openInstance(config, { log: createLogger(config.logLevel as Level, batchedWriter(2)) });
}

async function serve() {
  const deps = openInstance(loadConfig());
  // A server that cannot seal must not accept envelopes: check the key before listening.
  await deps.sealingKey();
  const running = startServer(deps);
  deps.log.info("listening", { url: running.url, baseUrl: deps.config.baseUrl, dataDir: deps.config.dataDir, version: VERSION });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info("shutting down", { signal });
    await running.stop();
    deps.db.$client.close();
    deps.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function main(argv: string[]) {
  const [cmd = "serve", ...rest] = argv;
  switch (cmd) {
    case "--help": case "-h": case "help": return out(HELP);
    case "--version": case "-v": case "version": return out(VERSION);
    case "serve": return serve();
    case "migrate": {
      const deps = openForCli();
      deps.db.$client.close();
      return out("Database is up to date.");
    }
    case "verify": {
      const deps = openForCli();
      try { process.exitCode = await verifyCommand(deps, rest, out); } finally { deps.db.$client.close(); }
      return;
    }
    case "seal": {
      const deps = openForCli();
      try { return await sealCommand(deps, rest, out); } finally { deps.db.$client.close(); }
    }
    case "healthcheck": {
      const config = loadConfig();
      const res = await fetch(`http://127.0.0.1:${config.port}/healthz`).catch(() => null);
      if (!res?.ok) throw new CliError(`no healthy server on port ${config.port}`);
      return out("ok");
    }
    case "keys": {
      const deps = openForCli();
      try { return keysCommand(deps, rest, out); } finally { deps.db.$client.close(); }
    }
    default:
      throw new CliError(`unknown command "${cmd}"; see certyneo --help`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof ConfigError || e instanceof CliError || e instanceof SignerError || e instanceof AppError) {
    process.stderr.write(`certyneo: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`certyneo: ${e?.stack ?? e}\n`);
  process.exit(1);
});
