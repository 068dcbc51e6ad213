import { resolve } from "node:path";
import type { Config } from "../config";
import type { Deps } from "../deps";
import { bucketNotCovered, createBackup, postgresNotCovered } from "../ops/backup";
import { restoreBackup } from "../ops/restore";
import { BACKUP_USAGE, RESTORE_USAGE } from "./usage";
import { CliError, type Out } from "./args";

const fileArg = (args: string[], usage: string) => {
  const file = args.find((a) => !a.startsWith("-"));
  if (!file) throw new CliError(usage);
  return resolve(file);
};

/** A system error (the destination missing or full, a directory not writable) is the admin's to mend: one line. */
const oneLine = (what: string) => (e: unknown): never => {
  throw (e as { syscall?: string }).syscall ? new CliError(`${what} failed: ${(e as Error).message}`) : e;
};

export async function backupCommand(deps: Deps, args: string[], out: Out) {
  const file = fileArg(args, BACKUP_USAGE);
  const m = await createBackup(deps, file).catch(oneLine(`backup to ${file}`));
  if (args.includes("--json")) return out(JSON.stringify({ file, ...m }));
  out(`Backup written to ${file}: database, instance key, ${m.files} files, ${(m.bytes / 1024 / 1024).toFixed(1)} MiB.`);
  if (m.missingFiles) out(`Warning: ${m.missingFiles.length} file(s) the database names were already missing from the file store, so the backup lacks them: ${m.missingFiles.join(", ")}`);
}

export async function restoreCommand(config: Config, args: string[], out: Out) {
  if (config.storage.url) throw new CliError(bucketNotCovered(config.storage.url));
  if (config.database.url) throw new CliError(postgresNotCovered);
  const file = fileArg(args, RESTORE_USAGE);
  const r = await restoreBackup(file, config.dataDir, { force: args.includes("--force") }).catch(oneLine(`restore into ${resolve(config.dataDir)}`));
  if (args.includes("--json")) return out(JSON.stringify({ file, dataDir: resolve(config.dataDir), ...r }));
  out(`Restored the backup of ${r.manifest.createdAt} (version ${r.manifest.version}) into ${resolve(config.dataDir)}: ${r.files} files, each checked against its SHA-256.`);
  if (r.movedAside) out(`The previous data directory was moved to ${r.movedAside}.`);
  if (r.manifest.missingFiles) out(`Warning: the backup lacks ${r.manifest.missingFiles.length} file(s) its database names; they were already missing when it was taken: ${r.manifest.missingFiles.join(", ")}`);
}
