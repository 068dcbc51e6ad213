import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "./clock";
import type { Config } from "./config";
import type { Deps } from "./deps";
import type { SealingKey } from "./modules/sealing/key";
import { StartupError } from "./errors";
import { createLogger, type Logger } from "./log";
import { senderIdentity } from "./modules/branding/service";
import { trustServices } from "./modules/sealing/trust-services";
import { checkSealingKey } from "./modules/sealing/key-check";
import { createMailer } from "./modules/notifications/mailer";
import { createPdfWorkers } from "./pdf-worker/pool";
import { pidAlive } from "./process-owner";
import type { Db } from "./store/db";
import { firstRow } from "./store/portable-sql";
import { underNodeLock } from "./store/node-lock";
import { closeDatabase, openDatabase } from "./store/open";
import { envelopes, webhooks } from "./store/schema";
import { writeFileOnce } from "./store/files";
import { sealStoredSecrets } from "./store/secret-box";
import { checkSecret, lostSecret, openStorage, type Storage } from "./store/storage";

export interface OpenOptions {
  clock?: Clock;
  log?: Logger;
  /** Make a new instance.key although the database holds envelopes signed under a lost one. */
  acceptNewInstanceKey?: boolean;
  /** Storage opened beforehand (tests); without it, the one the configuration names. */
  storage?: Storage;
}

/**
 * Opens the instance: database (migrated), storage, instance secret. Shared by `serve` and the
 * CLI commands. What stops it (a data directory that is a file, a damaged, locked or unreachable
 * database, a damaged or lost instance key) is a StartupError saying what to do.
 */
export async function openInstance(config: Config, opts: OpenOptions = {}): Promise<Deps> {
  const dataDir = resolve(config.dataDir);
  openDataDir(dataDir);
  const log = opts.log ?? createLogger(config.logLevel as any);
  const db = await openDatabase(config, dataDir, log);
  try {
    const removed = removeStaleTempFiles(dataDir);
    if (removed.length) log.info("removed temporary files left by a crash", { files: removed });
    const clock = opts.clock ?? systemClock;
    const storage = opts.storage ?? await openStorage(config, log, {
      holdsEnvelopes: () => holdsEnvelopes(db), acceptNewInstanceKey: opts.acceptNewInstanceKey,
      lock: (work) => underNodeLock(db, "certyneo:instance-state", work),
    });
    const secret = storage.secret ?? await loadInstanceSecret(dataDir, log, { holdsEnvelopes: await holdsEnvelopes(db), acceptNew: opts.acceptNewInstanceKey });
    const sealed = await sealStoredSecrets(db, secret);
    if (sealed) log.info("webhook secrets encrypted with the instance key", { count: sealed });
    // The key's code (PKCS#12, PKCS#11, LTV checks) loads on first use (modules/sealing/lazy.ts).
    let loader: Promise<() => Promise<SealingKey>> | null = null;
    const sealingKey = () => (loader ??= import("./modules/sealing/key").then((m) => m.sealingKeyLoader({ ...config, dataDir }, clock, log, secret, storage.state))).then((load) => load());
    const pdf = createPdfWorkers(config.pdf, log);
    return {
      config: { ...config, dataDir },
      db,
      files: storage.files,
      clock,
      log,
      // Messages are composed on the PDF threads: composing one cost the event loop ~1.5 ms.
      mailer: createMailer({ ...config, dataDir }, clock, log, () => senderIdentity(db, config), (mail) => pdf.handOver("composeMail", mail)),
      secret,
      sealingKey,
      checkSealingKey: () => checkSealingKey({ config: { ...config, dataDir }, clock, log, secret, state: storage.state, load: sealingKey }),
      pdf,
      trust: await trustServices(config, clock, log),
    };
  } catch (e) {
    await closeDatabase(db);
    throw e;
  }
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

/** Whether anything depends on the instance key: envelopes (their signing links) or stored webhook secrets. */
async function holdsEnvelopes(db: Db): Promise<boolean> {
  if (await firstRow(db.select({ id: envelopes.id }).from(envelopes).limit(1))) return true;
  return (await firstRow(db.select({ id: webhooks.id }).from(webhooks).limit(1))) !== undefined;
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
export async function loadInstanceSecret(dataDir: string, log?: Logger, opts: { holdsEnvelopes?: boolean; acceptNew?: boolean } = {}): Promise<Uint8Array> {
  const file = join(dataDir, "instance.key");
  if (!existsSync(file) && opts.holdsEnvelopes && !opts.acceptNew) throw lostSecret(file);
  if (await writeFileOnce(file, crypto.getRandomValues(new Uint8Array(32)))) log?.info("instance secret created", { file });
  const secret = checkSecret(new Uint8Array(readFileSync(file)), file);
  try { chmodSync(file, 0o600); } catch {}
  return secret;
}
