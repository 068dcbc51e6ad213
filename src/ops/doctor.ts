import { Database } from "bun:sqlite";
import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { migrationJournal } from "../../migrations";
import type { Clock } from "../clock";
import { loadConfig, type Config } from "../config";
import { createLogger } from "../log";
import { DEVELOPMENT_P12 } from "../modules/sealing/paths";
import { SMTP_TIMEOUTS } from "../modules/notifications/mailer";
import { postgresClient } from "../store/dialect";
import { diskInstanceState, s3InstanceState, type InstanceState } from "../store/instance-state";
import { redactedUrl } from "../store/open";
import { bucketProblem, INSTANCE_SECRET, s3Location } from "../store/storage";

export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
}

const GiB = 1024 ** 3;
const REACH_TIMEOUT_MS = 10_000;

const ok = (name: string, detail: string): Check => ({ name, status: "ok", detail });
const warn = (name: string, detail: string): Check => ({ name, status: "warn", detail });
const fail = (name: string, detail: string): Check => ({ name, status: "fail", detail });

function dataDirChecks(dir: string): Check[] {
  if (!existsSync(dir)) return [warn("data directory", `${dir} does not exist yet; the first start creates it`)];
  const out: Check[] = [];
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    const mode = statSync(dir).mode & 0o777;
    out.push(mode & 0o077 ? warn("data directory", `${dir} is readable by other users (mode ${mode.toString(8)}); chmod 700 it`) : ok("data directory", `${dir}, writable, mode ${mode.toString(8)}`));
  } catch (e) {
    out.push(fail("data directory", `${dir} is not writable by this user: ${(e as Error).message}`));
  }
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const text = `${(free / GiB).toFixed(1)} GiB free`;
  out.push(free < 0.1 * GiB ? fail("free space", text) : free < GiB ? warn("free space", `${text}; PDFs and backups need room`) : ok("free space", text));
  return out;
}

function databaseCheck(dir: string): Check[] {
  const file = join(dir, "certyneo.db");
  if (!existsSync(file)) return [warn("database", `${file} does not exist yet; the first start creates it`)];
  try {
    const db = new Database(file, { readonly: true });
    try {
      const quick = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
      if (quick !== "ok") return [fail("database", `SQLite's check fails: ${quick}`)];
      const applied = (db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
      const migrations = migrationsCheck(file, applied, migrationJournal.length, `${file}, intact, migrations up to date`);
      if (migrations.status !== "ok") return [migrations];
      return [migrations, fieldPagesCheck((db.query(FIELDS_BELOW_PAGE_ONE).all() as { id: string }[]).map((r) => r.id))];
    } finally {
      db.close();
    }
  } catch (e) {
    return [fail("database", `${file}: ${(e as Error).message}`)];
  }
}

/**
 * Open envelopes with a field on a page below 1. Whole numbers sent as text once skipped their
 * bounds (docs/decisions.md, session 26), so such a field could be stored; its envelope cannot be
 * sealed once signed. The same SQL on both databases.
 */
const FIELDS_BELOW_PAGE_ONE =
  "SELECT DISTINCT f.envelope_id AS id FROM fields f JOIN envelopes e ON e.id = f.envelope_id WHERE f.page < 1 AND e.status IN ('DRAFT', 'SENT') ORDER BY 1 LIMIT 11";

function fieldPagesCheck(ids: string[]): Check {
  if (!ids.length) return ok("stored fields", "every open envelope's fields are on a page of their documents");
  const named = ids.length > 10 ? `${ids.slice(0, 10).join(", ")} and others` : ids.join(", ");
  return warn("stored fields", `open envelopes with a field on page 0 or below, which could not be sealed: ${named}. They were stored while whole numbers sent as text skipped their bounds; correct a draft's fields with PATCH, void the others and send them again`);
}

/** What the count of applied migrations says: some to apply, a newer version's database, or up to date. */
function migrationsCheck(where: string, applied: number, known: number, upToDate: string): Check {
  if (applied > known)
    return fail("database", `${where}: migrated by a newer version of Certyneo (${applied} migrations, this version knows ${known}): this version will not start on it; run that version, or restore the backup taken before the upgrade`);
  if (applied < known) return warn("database", `${where}: ${known - applied} migration(s) to apply: certyneo migrate, or start the server`);
  return ok("database", upToDate);
}

/** With CERTYNEO_DATABASE_URL: PostgreSQL answers, and has every migration this binary knows. */
async function postgresCheck(url: string): Promise<Check[]> {
  const where = redactedUrl(url);
  // Loaded here: the PostgreSQL client is not loaded for SQLite (store/open.ts).
  const pg = await import("../store/postgres");
  const db = pg.openPostgres(url, { max: 1 });
  try {
    await pg.assertUtf8(postgresClient(db));
    const { applied, known } = await pg.postgresMigrationState(db);
    const migrations = migrationsCheck(where, applied, known, `${where}, reachable, migrations up to date`);
    if (migrations.status !== "ok") return [migrations];
    const rows = (await postgresClient(db).unsafe(FIELDS_BELOW_PAGE_ONE)) as { id: string }[];
    return [migrations, fieldPagesCheck(rows.map((r) => r.id))];
  } catch (e) {
    return [fail("database", `${where}: ${(e as Error).message}`)];
  } finally {
    await pg.closePostgres(db).catch(() => {});
  }
}

function instanceKey(dir: string): { check: Check; secret: Uint8Array | null } {
  const file = join(dir, "instance.key");
  if (!existsSync(file)) return { check: warn("instance key", `${file} does not exist yet; the first start creates it (back it up: signing links depend on it)`), secret: null };
  const secret = new Uint8Array(readFileSync(file));
  if (secret.length !== 32) return { check: fail("instance key", `${file} is damaged: ${secret.length} bytes instead of 32`), secret: null };
  const mode = statSync(file).mode & 0o777;
  return { check: mode & 0o077 ? warn("instance key", `${file} is readable by other users (mode ${mode.toString(8)}); chmod 600 it`) : ok("instance key", file), secret };
}

/**
 * With CERTYNEO_STORAGE_URL: the bucket answers (a list, nothing written) and holds a sound
 * instance secret. Otherwise the data directory's instance key.
 */
async function sharedStateChecks(config: Config): Promise<{ checks: Check[]; secret: Uint8Array | null; state: InstanceState }> {
  if (!config.storage.url) {
    const key = instanceKey(config.dataDir);
    return { checks: [key.check], secret: key.secret, state: diskInstanceState(config.dataDir) };
  }
  const loc = s3Location(config.storage.url, config.storage);
  const state = s3InstanceState(loc);
  try {
    await loc.client.list({ prefix: loc.prefix, maxKeys: 1 });
    const secret = await state.read(INSTANCE_SECRET);
    const where = state.where(INSTANCE_SECRET);
    const storage = ok("storage", `s3://${loc.bucket}/${loc.prefix} at ${config.storage.endpoint || "AWS"}, reachable`);
    if (!secret) return { checks: [storage, warn("instance key", `${where} does not exist yet; the first start creates it`)], secret: null, state };
    if (secret.length !== 32) return { checks: [storage, fail("instance key", `${where} is damaged: ${secret.length} bytes instead of 32`)], secret: null, state };
    return { checks: [storage, ok("instance key", where)], secret, state };
  } catch (e) {
    return { checks: [fail("storage", bucketProblem(e, loc, config.storage.endpoint))], secret: null, state };
  }
}

async function certificateCheck(config: Config, clock: Clock, secret: Uint8Array | null, state: InstanceState): Promise<Check> {
  if (!config.seal.p12Path && !config.seal.pkcs11.module && (!secret || !(await state.read(DEVELOPMENT_P12))))
    return warn("sealing certificate", "none configured: the first start generates a development certificate (not trusted by validators); set CERTYNEO_SEAL_P12_PATH");
  try {
    const { sealingCertificate, sealingKeyLoader } = await import("../modules/sealing/key");
    const key = await sealingKeyLoader(config, clock, createLogger("error", () => {}), secret ?? new Uint8Array(32), state)();
    const cert = sealingCertificate(key);
    const days = Math.floor((cert.notAfter.getTime() - clock.now().getTime()) / 86400_000);
    const what = `${cert.subject}, expires ${cert.notAfter.toISOString().slice(0, 10)}`;
    if (days < 30) return warn("sealing certificate", `${what}: in ${days} days; renew it`);
    if (key.development) return warn("sealing certificate", `${what}: the development certificate, not trusted by validators; set CERTYNEO_SEAL_P12_PATH`);
    return ok("sealing certificate", what);
  } catch (e) {
    return fail("sealing certificate", (e as Error).message);
  }
}

async function smtpCheck(config: Config, connect: boolean): Promise<Check> {
  if (!config.smtp.host) return ok("smtp", `no SMTP server configured: e-mails are written to ${join(config.dataDir, "outbox")}`);
  const target = `${config.smtp.host}:${config.smtp.port}`;
  if (!connect) return ok("smtp", `${target} (not contacted; add --smtp to check it answers)`);
  // Loaded here: the doctor command shares the binary's start with the server (sealing/lazy.ts).
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure,
    auth: config.smtp.user ? { user: config.smtp.user, pass: config.smtp.password } : undefined,
    ...SMTP_TIMEOUTS, connectionTimeout: REACH_TIMEOUT_MS, greetingTimeout: REACH_TIMEOUT_MS,
  });
  try {
    await transport.verify();
    return ok("smtp", `${target} answers${config.smtp.user ? " and accepts the credentials" : ""}`);
  } catch (e) {
    return fail("smtp", `${target}: ${(e as Error).message}`);
  } finally {
    transport.close();
  }
}

/** Each configured authority answers HTTP at all; one of several down is a warning, all down a failure. */
async function tsaCheck(config: Config): Promise<Check> {
  const urls = config.seal.tsa.urls;
  if (!urls.length) return ok("time-stamp authority", "none configured: seals carry no time-stamp (PAdES B-B)");
  const results = await Promise.all(urls.map(async (url) => {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/timestamp-query" }, body: new Uint8Array(0), signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
      return { url, up: true, text: `${url} answers (HTTP ${res.status})` };
    } catch (e) {
      return { url, up: false, text: `${url}: ${(e as Error).message}` };
    }
  }));
  const up = results.filter((r) => r.up).length;
  const detail = results.map((r) => r.text).join("; ");
  return up === results.length ? ok("time-stamp authority", detail) : up ? warn("time-stamp authority", detail) : fail("time-stamp authority", detail);
}

function baseUrlCheck(config: Config): Check {
  const url = new URL(config.baseUrl);
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !local) return warn("base URL", `${config.baseUrl}: signing links and console cookies travel unencrypted; use https`);
  return ok("base URL", local ? `${config.baseUrl} (this machine only: set CERTYNEO_BASE_URL to the address signers reach)` : config.baseUrl);
}

/** Every check, in order; none changes anything. */
export async function runDoctor(env: Record<string, string | undefined>, clock: Clock, opts: { smtp?: boolean } = {}): Promise<Check[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    return [fail("configuration", (e as Error).message)];
  }
  config = { ...config, dataDir: resolve(config.dataDir) };
  const shared = await sharedStateChecks(config);
  return [
    ok("configuration", "certyneo.config.ts defaults and CERTYNEO_* variables are valid"),
    baseUrlCheck(config),
    ...dataDirChecks(config.dataDir),
    ...(config.database.url ? await postgresCheck(config.database.url) : databaseCheck(config.dataDir)),
    ...shared.checks,
    await certificateCheck(config, clock, shared.secret, shared.state),
    await smtpCheck(config, opts.smtp ?? false),
    await tsaCheck(config),
  ];
}
