import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { createLogger, type Logger } from "./log";
import { sealingKeyLoader } from "./modules/sealing/key";
import { senderIdentity } from "./modules/branding/service";
import { trustServices } from "./modules/sealing/trust-services";
import { createMailer } from "./modules/notifications/mailer";
import { migrate, openDb } from "./store/db";
import { openDiskStorage, type Storage } from "./store/storage";

/**
 * Opens the data directory: database (migrated), file store. Shared by `serve` and the CLI commands.
 * `storage` comes from openStorage() when the configuration names a bucket (its check is
 * asynchronous); without it, the data directory's files as always.
 */
export function openInstance(config: Config, opts: { clock?: Clock; log?: Logger; storage?: Storage } = {}): Deps {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = opts.log ?? createLogger(config.logLevel as any);
  if (config.storage.url && !opts.storage) throw new Error(`${config.storage.url}: open it with openStorage() before openInstance()`);
  const db = openDb(join(dataDir, "certyneo.db"));
  const applied = migrate(db);
  if (applied) log.info("database migrated", { applied });
  const clock = opts.clock ?? systemClock;
  const { files, state, secret } = opts.storage ?? openDiskStorage(dataDir, log);
  return {
    config: { ...config, dataDir },
    db,
    files,
    clock,
    log,
    mailer: createMailer({ ...config, dataDir }, clock, log, () => senderIdentity(db, config)),
    secret,
    sealingKey: sealingKeyLoader({ ...config, dataDir }, clock, log, secret, state),
    trust: trustServices(config, clock, log),
  };
}
