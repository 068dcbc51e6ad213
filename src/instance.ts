import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { createLogger, type Logger } from "./log";
import { createMailer } from "./notify/mailer";
import { migrate, openDb } from "./store/db";
import { diskFileStore } from "./store/files";

/** Opens the data directory: database (migrated), file store. Shared by `serve` and the CLI commands. */
export function openInstance(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Deps {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = opts.log ?? createLogger(config.logLevel as any);
  const db = openDb(join(dataDir, "certyneo.db"));
  const applied = migrate(db);
  if (applied) log.info("database migrated", { applied });
  const clock = opts.clock ?? systemClock;
  return {
    config: { ...config, dataDir },
    db,
    files: diskFileStore(join(dataDir, "files")),
    clock,
    log,
    mailer: createMailer({ ...config, dataDir }, clock, log),
  };
}
