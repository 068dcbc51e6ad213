import { chmodSync, mkdirSync, readFileSync } from "node:fs";
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
import { diskFileStore, writeFileOnce } from "./store/files";

/** Opens the data directory: database (migrated), file store. Shared by `serve` and the CLI commands. */
export function openInstance(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Deps {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = opts.log ?? createLogger(config.logLevel as any);
  const db = openDb(join(dataDir, "certyneo.db"));
  const applied = migrate(db);
  if (applied) log.info("database migrated", { applied });
  const clock = opts.clock ?? systemClock;
  const secret = loadInstanceSecret(dataDir, log);
  return {
    config: { ...config, dataDir },
    db,
    files: diskFileStore(join(dataDir, "files")),
    clock,
    log,
    mailer: createMailer({ ...config, dataDir }, clock, log, () => senderIdentity(db, config)),
    secret,
    sealingKey: sealingKeyLoader({ ...config, dataDir }, clock, log, secret),
    trust: trustServices(config, clock, log),
  };
}

/**
 * The instance secret: 32 random bytes in {dataDir}/instance.key (mode 0600), created on first
 * start. Signing tokens are HMACs under it, so a copy of the database alone opens no session.
 */
export function loadInstanceSecret(dataDir: string, log?: Logger): Uint8Array {
  const file = join(dataDir, "instance.key");
  if (writeFileOnce(file, crypto.getRandomValues(new Uint8Array(32)))) log?.info("instance secret created", { file });
  const secret = new Uint8Array(readFileSync(file));
  if (secret.length !== 32) throw new Error(`${file} is damaged: expected 32 bytes, found ${secret.length}`);
  try { chmodSync(file, 0o600); } catch {}
  return secret;
}
