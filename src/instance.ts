import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { Database } from "bun:sqlite";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { StartupError } from "./errors";
import { createLogger, type Logger } from "./log";
import { sealingKeyLoader } from "./modules/sealing/key";
import { senderIdentity } from "./modules/branding/service";
import { trustServices } from "./modules/sealing/trust-services";
import { createMailer } from "./modules/notifications/mailer";
import { createPdfWorkers } from "./pdf-worker/pool";
import { pidAlive } from "./process-owner";
import { migrate, openDb } from "./store/db";
import { writeFileOnce } from "./store/files";
import { sealStoredSecrets } from "./store/secret-box";
import { checkSecret, lostSecret, openDiskStorage, type Storage } from "./store/storage";

export interface OpenOptions {
  clock?: Clock;
  log?: Logger;
  /** Make a new instance.key although the database holds envelopes signed under a lost one. */
  acceptNewInstanceKey?: boolean;
  /** From openStorage() when the configuration names a bucket (its check is asynchronous); without it, the data directory. */
  storage?: Storage;
}

/**
 * Opens the data directory: database (migrated), file store. Shared by `serve` and the CLI
 * commands. What stops it (a data directory that is a file, a damaged or locked database, a
 * damaged or lost instance key) is a StartupError saying what to do.
 */
export function openInstance(config: Config, opts: OpenOptions = {}): Deps {
  const dataDir = resolve(config.dataDir);
  openDataDir(dataDir);
  const log = opts.log ?? createLogger(config.logLevel as any);
  if (config.storage.url && !opts.storage) throw new Error(`${config.storage.url}: open it with openStorage() before openInstance()`);
  const db = openDatabase(join(dataDir, "certyneo.db"), log);
  const removed = removeStaleTempFiles(dataDir);
  if (removed.length) log.info("removed temporary files left by a crash", { files: removed });
  const clock = opts.clock ?? systemClock;
  const storage = opts.storage ?? openDiskStorage(dataDir);
  const secret = storage.secret ?? loadInstanceSecret(dataDir, log, { holdsEnvelopes: holdsEnvelopes(db), acceptNew: opts.acceptNewInstanceKey });
  const sealed = sealStoredSecrets(db, secret);
  if (sealed) log.info("webhook secrets encrypted with the instance key", { count: sealed });
  return {
    config: { ...config, dataDir },
    db,
    files: storage.files,
    clock,
    log,
    mailer: createMailer({ ...config, dataDir }, clock, log, () => senderIdentity(db, config)),
    secret,
    sealingKey: sealingKeyLoader({ ...config, dataDir }, clock, log, secret, storage.state),
    pdf: createPdfWorkers(config.pdf, log),
    trust: trustServices(config, clock, log),
  };
}

function openDataDir(dataDir: string) {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory())
    throw new StartupError(`data directory ${dataDir} is a file, not a directory: set CERTYNEO_DATA_DIR to a directory`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StartupError(`data directory ${dataDir} cannot be created: ${(e as Error).message}`);
  }
}

/** SQLite's own words for the two failures an admin meets at start, with what to do. */
function openDatabase(file: string, log: Logger) {
  let db: ReturnType<typeof openDb> | undefined;
  try {
    db = openDb(file);
    const applied = migrate(db);
    if (applied) log.info("database migrated", { applied });
    return db;
  } catch (e) {
    db?.$client.close();
    const code = String((e as { code?: string }).code ?? "");
    if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || /database is locked/.test(String(e)))
      throw new StartupError(`database ${file} is locked by another process: stop it (another certyneo on this data directory, a backup tool) and start again`);
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT" || /not a database|malformed/.test(String(e)))
      throw new StartupError(`database ${file} is damaged (${(e as Error).message}): restore it and its -wal file from a backup`);
    throw new StartupError(`database ${file} cannot be opened: ${(e as Error).message}`);
  }
}

/** Whether anything depends on the instance key: envelopes (their signing links) or stored webhook secrets. */
const holdsEnvelopes = (db: { $client: Database }) =>
  db.$client.query("SELECT 1 FROM envelopes UNION ALL SELECT 1 FROM webhooks LIMIT 1").get() !== null;

/** The same question before the database is opened (openStorage, for a secret kept in a bucket): a database not made yet holds nothing. */
export function databaseHoldsEnvelopes(dataDir: string): boolean {
  const file = join(resolve(dataDir), "certyneo.db");
  if (!existsSync(file)) return false;
  const $client = new Database(file, { readonly: true });
  try {
    return holdsEnvelopes({ $client });
  } catch {
    return false; // no tables yet: migrations come with the start
  } finally {
    $client.close();
  }
}

/** `{name}.{pid}.{uuid}.tmp`: what writeFileAtomic and writeFileOnce write before the rename. */
const TEMP_FILE = /\.(\d+)\.[0-9a-f-]{36}\.tmp$/;

/**
 * Temporary files of a write that a crash interrupted (a partial upload can be megabytes,
 * on a disk that may be full): removed at start, unless the process writing them still runs.
 * One named after this very pid is a previous incarnation's (pid 1 in a container): this
 * process has written nothing yet.
 */
export function removeStaleTempFiles(dataDir: string): string[] {
  const removed: string[] = [];
  const sweep = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const m = TEMP_FILE.exec(entry.name);
      if (entry.isFile() && m && (Number(m[1]) === process.pid || !pidAlive(Number(m[1])))) {
        rmSync(path, { force: true });
        removed.push(path);
      }
    }
  };
  sweep(dataDir);
  const files = join(dataDir, "files");
  if (existsSync(files)) for (const d of readdirSync(files, { withFileTypes: true })) if (d.isDirectory()) sweep(join(files, d.name));
  return removed;
}

/**
 * The instance secret: 32 random bytes in {dataDir}/instance.key (mode 0600), created on first
 * start. Signing tokens are HMACs under it, so a copy of the database alone opens no session.
 * A missing key is made anew only while the database holds no envelope: a new key would
 * silently break every signing link already sent, and the stored webhook secrets.
 */
export function loadInstanceSecret(dataDir: string, log?: Logger, opts: { holdsEnvelopes?: boolean; acceptNew?: boolean } = {}): Uint8Array {
  const file = join(dataDir, "instance.key");
  if (!existsSync(file) && opts.holdsEnvelopes && !opts.acceptNew) throw lostSecret(file);
  if (writeFileOnce(file, crypto.getRandomValues(new Uint8Array(32)))) log?.info("instance secret created", { file });
  const secret = checkSecret(new Uint8Array(readFileSync(file)), file);
  try { chmodSync(file, 0o600); } catch {}
  return secret;
}
