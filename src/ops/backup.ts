import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps";
import { AppError } from "../errors";
import { filesNeeded } from "../modules/documents/file-needed";
import { DEVELOPMENT_P12 } from "../modules/sealing/paths";
import type { Tx } from "../store/db";
import { dialectOf } from "../store/dialect";
import { VERSION } from "../version";
import { tarGzWriter } from "./tar";

export const BACKUP_FORMAT = 1;
export const MANIFEST = "backup.json";
export const DATABASE = "certyneo.db";
export const INSTANCE_KEY = "instance.key";

export interface BackupManifest {
  format: number;
  version: string;
  createdAt: string;
  files: number;
  developmentCertificate: boolean;
  /** Files the database names that were not in the file store when the backup was taken (lost before it). */
  missingFiles?: string[];
}

/** Backups hold a data directory's files; a bucket keeps its own (versioning, replication). */
export const bucketNotCovered = (url: string) =>
  `the files are in ${url} (CERTYNEO_STORAGE_URL), which backup and restore do not cover: back the bucket up with its own versioning or replication, or copy it to a directory with certyneo migrate-data --storage DIR`;

/** Backups hold the SQLite database of the data directory; PostgreSQL has its own tools. */
export const postgresNotCovered =
  "the database is PostgreSQL (CERTYNEO_DATABASE_URL), which backup and restore do not cover: back it up with pg_dump or your provider's snapshots";

/** Every blob of the file store, as [name in the archive, path on disk]. */
function storedFiles(root: string): [string, string][] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name)).flatMap((d) =>
    readdirSync(join(root, d.name)).filter((f) => /^[0-9a-f]{64}$/.test(f)).map((f) => [`files/${d.name}/${f}`, join(root, d.name, f)] as [string, string]));
}

/**
 * One tar.gz of everything a restore needs, taken while the server runs and writes: the
 * database through `VACUUM INTO` (a consistent snapshot from one read transaction), the
 * instance key (signing links), the development certificate, and the PDFs. The file store is
 * listed after the snapshot: blobs are written before the rows that name them commit, so
 * every blob the snapshot refers to is there (later ones are harmless extras), unless a
 * deletion or purge removed one in between: then the backup is taken again (ATTEMPTS). Files
 * still missing after that were lost before the backup: it is written all the same, naming them
 * (`missingFiles`), since refusing would leave the installation with no backup at all. Written
 * to FILE.tmp, renamed when complete.
 */
export async function createBackup(deps: Pick<Deps, "db" | "config" | "secret" | "clock">, file: string): Promise<BackupManifest & { bytes: number }> {
  if (deps.config.storage.url) throw new AppError("conflict", bucketNotCovered(deps.config.storage.url));
  if (dialectOf(deps.db) === "postgres") throw new AppError("conflict", postgresNotCovered);
  for (let attempt = 1; ; attempt++) {
    try {
      return await backupOnce(deps, file, attempt === ATTEMPTS);
    } catch (e) {
      if (!(e instanceof FileGone)) throw e;
      if (attempt === ATTEMPTS) throw new AppError("conflict", `${e.message}, ${ATTEMPTS} times: files are being deleted as fast as the backup reads them; try again`);
    }
  }
}

/** A file the snapshot names went away before the backup held it (a deletion or purge meanwhile). */
class FileGone extends Error {}
const ATTEMPTS = 3;

async function backupOnce(deps: Pick<Deps, "db" | "config" | "secret" | "clock">, file: string, lastAttempt: boolean): Promise<BackupManifest & { bytes: number }> {
  const dataDir = deps.config.dataDir;
  const snapshot = join(dataDir, `.backup-${crypto.randomUUID()}.db`);
  const tmp = `${file}.tmp`;
  try {
    deps.db.$client.run("VACUUM INTO ?", [snapshot]);
    const files = storedFiles(join(dataDir, "files"));
    const held = new Set(files.map(([name]) => name.slice(name.lastIndexOf("/") + 1)));
    const snapshotDb = new Database(snapshot, { readonly: true });
    let missing: string[];
    try {
      missing = [...(await filesNeeded(drizzle({ client: snapshotDb }) as unknown as Tx))].filter((sha) => !held.has(sha)).sort();
    } finally {
      snapshotDb.close();
    }
    if (missing.length && !lastAttempt) throw new FileGone("a file the snapshot names was removed before it was listed");
    const devCert = join(dataDir, DEVELOPMENT_P12);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT, version: VERSION, createdAt: deps.clock.now().toISOString(), files: files.length, developmentCertificate: existsSync(devCert),
      ...(missing.length ? { missingFiles: missing } : {}),
    };
    const tar = tarGzWriter(tmp);
    await tar.add(MANIFEST, new TextEncoder().encode(JSON.stringify(manifest, null, 2)));
    await tar.add(DATABASE, { path: snapshot, size: statSync(snapshot).size });
    await tar.add(INSTANCE_KEY, deps.secret);
    if (manifest.developmentCertificate) await tar.add(DEVELOPMENT_P12, new Uint8Array(readFileSync(devCert)));
    for (const [name, path] of files) {
      await tar.add(name, { path, size: statOrGone(path) });
    }
    await tar.close();
    renameSync(tmp, file);
    return { ...manifest, bytes: statSync(file).size };
  } finally {
    for (const f of [snapshot, tmp]) try { unlinkSync(f); } catch {}
  }
}

/** A listed file's size; one removed since it was listed makes the backup start again. */
function statOrGone(path: string): number {
  try {
    return statSync(path).size;
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") throw new FileGone(`${path} was removed while the backup was taken`);
    throw e;
  }
}
