import { Database } from "bun:sqlite";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { AppError } from "../errors";
import { DEVELOPMENT_P12 } from "../modules/sealing/paths";
import { BACKUP_FORMAT, DATABASE, INSTANCE_KEY, MANIFEST, type BackupManifest } from "./backup";
import { readTarGz } from "./tar";

/** The only names a backup holds; anything else (a path outside the data directory, say) is refused. */
const ALLOWED = new RegExp(`^(${[MANIFEST, DATABASE, INSTANCE_KEY, DEVELOPMENT_P12].map((n) => n.replace(/\./g, "\\.")).join("|")}|files/[0-9a-f]{2}/[0-9a-f]{64})$`);

export interface RestoreSummary {
  manifest: BackupManifest;
  files: number;
  /** Where the data directory that was there went (with --force), or null. */
  movedAside: string | null;
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/**
 * Refuses a data directory whose database a process has open (a running server, a certyneo
 * command): in WAL mode every connection holds a shared lock while open, so an exclusive lock
 * is refused. Moved aside, such a server would go on writing into the moved database.
 */
function refuseInUse(dataDir: string) {
  const path = join(dataDir, DATABASE);
  if (!existsSync(path)) return;
  let db: Database | undefined;
  try {
    db = new Database(path);
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    db.run("BEGIN EXCLUSIVE");
    db.run("ROLLBACK");
  } catch (e) {
    // Any other failure (not a database, say) means no server uses it either.
    if ((e as { code?: string }).code === "SQLITE_BUSY")
      throw new AppError("conflict", `${dataDir} is in use by a running server or certyneo command: stop it, then restore`);
  } finally {
    db?.close();
  }
}

/**
 * Restores a backup into `dataDir`: refused when it holds anything, unless `force` (then it is
 * moved aside to {dataDir}.before-restore-{time}, not deleted). The archive is unpacked next to
 * it first; every PDF is checked against its SHA-256 and the database against SQLite's
 * integrity check before the directory is swapped in, so a bad backup changes nothing.
 * The server must be stopped: a data directory in use is refused.
 */
export async function restoreBackup(file: string, dataDirInput: string, opts: { force?: boolean; now?: Date } = {}): Promise<RestoreSummary> {
  const dataDir = resolve(dataDirInput);
  if (!existsSync(file)) throw new AppError("not_found", `${file}: no such backup file`);
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory())
    throw new AppError("conflict", `data directory ${dataDir} is a file, not a directory: set CERTYNEO_DATA_DIR to a directory`);
  if (!isEmptyDir(dataDir) && !opts.force)
    throw new AppError("conflict", `${dataDir} is not empty; restore into an empty data directory, or add --force to move the current one aside`);
  refuseInUse(dataDir);
  const stamp = (opts.now ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${stamp}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  let files = 0;
  let manifestText = "";
  try {
    await readTarGz(file, (name) => {
      if (!ALLOWED.test(name)) throw new AppError("validation_failed", `${file}: unexpected entry "${name}": not a Certyneo backup`);
      const target = join(staging, name);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      const fd = openSync(target, "wx", 0o600);
      const hasher = name.startsWith("files/") ? new Bun.CryptoHasher("sha256") : null;
      const chunks: Uint8Array[] = [];
      return {
        write(chunk) {
          writeSync(fd, chunk);
          hasher?.update(chunk);
          if (name === MANIFEST) chunks.push(chunk.slice());
        },
        end() {
          fsyncSync(fd);
          closeSync(fd);
          if (name === MANIFEST) manifestText = Buffer.concat(chunks).toString("utf8");
          if (hasher) {
            if (hasher.digest("hex") !== basename(name)) throw new AppError("validation_failed", `${file}: ${name} does not match its SHA-256; the backup is damaged`);
            files++;
          }
        },
      };
    });
    const manifest = JSON.parse(manifestText || "null") as BackupManifest | null;
    if (!manifest || manifest.format !== BACKUP_FORMAT) throw new AppError("validation_failed", `${file}: no ${MANIFEST} of format ${BACKUP_FORMAT}: not a Certyneo backup`);
    for (const needed of [DATABASE, INSTANCE_KEY]) if (!existsSync(join(staging, needed))) throw new AppError("validation_failed", `${file}: ${needed} is missing`);
    if (files !== manifest.files) throw new AppError("validation_failed", `${file}: ${files} files where the manifest says ${manifest.files}; the backup is incomplete`);
    const db = new Database(join(staging, DATABASE), { readonly: true });
    try {
      const check = db.query("PRAGMA integrity_check").get() as { integrity_check: string };
      if (check.integrity_check !== "ok") throw new AppError("validation_failed", `${file}: the database fails SQLite's integrity check (${check.integrity_check})`);
    } finally {
      db.close();
    }
    let movedAside: string | null = null;
    // Again: a server may have started while the backup was unpacked.
    refuseInUse(dataDir);
    if (existsSync(dataDir)) {
      if (isEmptyDir(dataDir)) rmSync(dataDir, { recursive: true });
      else renameSync(dataDir, (movedAside = `${dataDir}.before-restore-${stamp}`));
    }
    renameSync(staging, dataDir);
    return { manifest, files, movedAside };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (e instanceof AppError) throw e;
    throw new AppError("validation_failed", `${file}: cannot be restored: ${(e as Error).message}`);
  }
}
