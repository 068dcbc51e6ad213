import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config";
import type { Logger } from "../log";
import { copyDatabase } from "../ops/copy-database";
import { closeDatabase, openDatabase, redactedUrl } from "../store/open";
import { DEVELOPMENT_P12 } from "../modules/sealing/paths";
import { INSTANCE_SECRET, openStorageTarget, type Storage } from "../store/storage";
import { MIGRATE_DATA_USAGE } from "./usage";
import { CliError, flag, type Out } from "./args";

const USAGE = "usage: certyneo migrate-data [--to postgres://... | --to DATA_DIR] [--storage s3://bucket/prefix | --storage DATA_DIR]";

const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * `certyneo migrate-data [--to DATABASE] [--storage TARGET]`. --storage copies every file of the configured storage (the data
 * directory, or CERTYNEO_STORAGE_URL's bucket) and the state the nodes share to TARGET (a bucket,
 * or a data directory), reading each copy back to check its SHA-256. A file already in TARGET
 * with the right hash is left alone, so a re-run after an interruption only copies the rest.
 */
export async function migrateDataCommand(config: Config, source: Storage, args: string[], out: Out, log: Logger): Promise<void> {
  const databaseSpec = flag(args, "--to");
  const targetSpec = flag(args, "--storage");
  if (!databaseSpec && !targetSpec) throw new CliError(USAGE);
  if (databaseSpec) await migrateDatabase(config, databaseSpec, out, log);
  if (targetSpec) await migrateStorage(config, source, targetSpec, out);
}

/** `--to`: the configured database (SQLite or PostgreSQL) copied into another, verified table by table. */
async function migrateDatabase(config: Config, spec: string, out: Out, log: Logger) {
  const toPostgres = /^postgres(ql)?:\/\//.test(spec);
  if (!toPostgres && /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith("file://")) throw new CliError(`--to ${redactedUrl(spec)}: expected postgres://... or a data directory`);
  const targetDir = toPostgres ? "" : resolve(spec.replace(/^file:\/\//, ""));
  if (!toPostgres && existsSync(join(targetDir, "certyneo.db"))) throw new CliError(`--to ${spec}: ${join(targetDir, "certyneo.db")} exists already; give a new data directory`);
  if (toPostgres && spec === config.database.url) throw new CliError(`--to ${redactedUrl(spec)}: that is the database already configured`);
  if (!toPostgres && !config.database.url)
    throw new CliError(`--to ${spec}: the configured database is SQLite already; --to DATA_DIR copies a PostgreSQL database (CERTYNEO_DATABASE_URL) back into SQLite`);
  const targetConfig = { ...config, database: { ...config.database, url: toPostgres ? spec : "" } };
  const source = await openDatabase(config, resolve(config.dataDir), log);
  try {
    if (!toPostgres) mkdirSync(targetDir, { recursive: true, mode: 0o700 });
    const target = await openDatabase(targetConfig, targetDir, log);
    try {
      out(`Copying the database -> ${toPostgres ? redactedUrl(spec) : join(targetDir, "certyneo.db")}`);
      const tables = await copyDatabase(source, target, out);
      const rows = tables.reduce((n, t) => n + t.rows, 0);
      out(`${tables.length} tables, ${rows} rows copied; every table's row count and SHA-256 match the source.`);
      out(toPostgres ? "Start Certyneo with CERTYNEO_DATABASE_URL set to it (and CERTYNEO_STORAGE_URL for the files: --storage)." : `Start Certyneo without CERTYNEO_DATABASE_URL, with CERTYNEO_DATA_DIR=${targetDir}.`);
    } catch (e) {
      throw new CliError(`--to: ${(e as Error).message}`);
    } finally {
      await closeDatabase(target);
    }
  } finally {
    await closeDatabase(source);
  }
}

/** `--storage`: every file and the shared state copied into another storage, each copy checked. */
async function migrateStorage(config: Config, source: Storage, targetSpec: string, out: Out) {
  const target = await openStorageTarget(targetSpec, config);
  if (target.location === source.location) throw new CliError(`--storage ${targetSpec}: that is where the files are already (${source.location})`);
  out(`Copying ${source.location} -> ${target.location}`);

  for (const name of [INSTANCE_SECRET, DEVELOPMENT_P12]) {
    const bytes = await source.state.read(name);
    if (!bytes) continue;
    const before = await target.state.read(name);
    const stored = before ?? (await target.state.createOnce(name, bytes));
    // Another instance's secret would silently break every signing link: stop rather than mix two instances.
    if (!same(stored, bytes)) throw new CliError(`${target.state.where(name)} holds a different ${name}: the target belongs to another instance`);
    out(`${name}: ${before ? "already there" : "copied"}`);
  }

  const shas: string[] = [];
  for await (const sha of source.files.list()) shas.push(sha);
  let copied = 0, already = 0, bytesCopied = 0;
  const failed: string[] = [];
  for (const [i, sha] of shas.entries()) {
    const line = (what: string) => out(`[${i + 1}/${shas.length}] ${sha} ${what}`);
    if ((await target.files.exists(sha)) && sha256(await target.files.get(sha)) === sha) {
      already++;
      line("already there");
      continue;
    }
    const bytes = await source.files.get(sha);
    if (sha256(bytes) !== sha) {
      failed.push(sha);
      line("FAILED: the source file does not match its SHA-256 (damaged); not copied");
      continue;
    }
    // A damaged copy from an earlier run is replaced: put() keeps whatever is stored under the name.
    await target.files.remove(sha);
    await target.files.put(bytes);
    if (sha256(await target.files.get(sha)) !== sha) {
      failed.push(sha);
      line("FAILED: the copy read back does not match its SHA-256");
      continue;
    }
    copied++;
    bytesCopied += bytes.length;
    line(`copied (${bytes.length} bytes)`);
  }

  const inTarget = new Set<string>();
  for await (const sha of target.files.list()) inTarget.add(sha);
  const missing = shas.filter((sha) => !inTarget.has(sha));
  out(`${shas.length} file(s): ${copied} copied (${bytesCopied} bytes), ${already} already there, ${failed.length} failed; the target holds ${inTarget.size} file(s), every copy's SHA-256 verified.`);
  if (failed.length || missing.length) throw new CliError(`${failed.length + missing.length} file(s) not copied; run the command again once the cause is fixed`);
  out(targetSpec.startsWith("s3://")
    ? `Done. Start Certyneo with CERTYNEO_STORAGE_URL=${targetSpec} (and the same S3_* variables).`
    : `Done. Start Certyneo without CERTYNEO_STORAGE_URL, with CERTYNEO_DATA_DIR holding the database (${config.dataDir}/certyneo.db) and these files.`);
}
