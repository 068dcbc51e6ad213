import { join } from "node:path";
import type { Config } from "../config";
import { StartupError } from "../errors";
import type { Logger } from "../log";
import { migrate, openDb, type Db } from "./db";
import { dialectOf } from "./dialect";
import { transactionsIdle } from "./transaction";
import { setNotifiedCacheGeneration } from "./cache-generations";

/** The URL without its password, for messages and logs. */
export const redactedUrl = (url: string) => url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");

/**
 * The database the configuration names, migrated: PostgreSQL for CERTYNEO_DATABASE_URL (its
 * client loads only then), else SQLite in the data directory. What stops it is a StartupError
 * saying what to do.
 */
export async function openDatabase(config: Config, dataDir: string, log: Logger): Promise<Db> {
  return config.database.url ? openPostgresDatabase(config, log) : openSqliteDatabase(join(dataDir, "certyneo.db"), log);
}

async function openPostgresDatabase(config: Config, log: Logger): Promise<Db> {
  const pg = await import("./postgres");
  const where = redactedUrl(config.database.url);
  const db = pg.openPostgres(config.database.url, { max: config.database.poolSize });
  try {
    const applied = await pg.migratePostgres(db);
    if (applied) log.info("database migrated", { applied, database: where });
  } catch (e) {
    await pg.closePostgres(db).catch(() => {});
    throw new StartupError(`database ${where} cannot be used: ${(e as Error).message}`);
  }
  setNotifiedCacheGeneration(db, pg.postgresCacheGeneration(db, log));
  return db;
}

/** SQLite's own words for the two failures an admin meets at start, with what to do. */
function openSqliteDatabase(file: string, log: Logger): Db {
  let db: Db | undefined;
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

export async function closeDatabase(db: Db): Promise<void> {
  if (dialectOf(db) === "postgres") await (await import("./postgres")).closePostgres(db);
  else {
    await transactionsIdle(db);
    db.$client.close();
  }
}
