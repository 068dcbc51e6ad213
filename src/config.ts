import { existsSync } from "node:fs";
import defaults from "../certyneo.config";
import { atLeast, PADES_LEVELS, type PadesLevel } from "./pdf/levels";

export type Config = typeof defaults;

export class ConfigError extends Error {}

/** Environment variables whose names the public docs fixed before the generic rule. */
const ALIASES: Record<string, string> = {
  CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "webhooks.allowedNetworks",
  CERTYNEO_SEAL_TSA_URL: "seal.tsa.urls",
};

/** The S3 tools' usual variables, read when the CERTYNEO_STORAGE_* one is unset, first found wins. */
const STORAGE_FALLBACKS: Record<string, string[]> = {
  "storage.endpoint": ["S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"],
  "storage.region": ["S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"],
  "storage.accessKeyId": ["S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"],
  "storage.secretAccessKey": ["S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"],
  "storage.sessionToken": ["S3_SESSION_TOKEN", "AWS_SESSION_TOKEN"],
};

const envName = (path: string) =>
  "CERTYNEO_" + path.replace(/\./g, "_").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

function parseValue(name: string, raw: string, like: unknown): unknown {
  if (Array.isArray(like)) return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (typeof like === "number") {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw new ConfigError(`${name}: expected a number, got "${raw}"`);
    return n;
  }
  if (typeof like === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${name}: expected true or false, got "${raw}"`);
  }
  return raw;
}

/** Every leaf of the defaults, as [dotted path, default value]. */
function leaves(obj: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? leaves(v as Record<string, unknown>, prefix + k + ".")
      : [[prefix + k, v] as [string, unknown]],
  );
}

function setPath(obj: Record<string, any>, path: string, value: unknown) {
  const keys = path.split(".");
  const last = keys.pop()!;
  let node = obj;
  for (const k of keys) node = node[k];
  node[last] = value;
}

function check(c: Config) {
  const fail = (setting: string, why: string) => {
    throw new ConfigError(`${envName(setting)} (${setting}): ${why}`);
  };
  const int = (path: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}, got ${v}`);
  };
  int("port", c.port, 0, 65535);
  if (!(c.maxUploadMb > 0 && c.maxUploadMb <= 1024)) fail("maxUploadMb", `must be between 0 and 1024, got ${c.maxUploadMb}`);
  if (!["debug", "info", "warn", "error"].includes(c.logLevel)) fail("logLevel", `must be debug, info, warn or error, got "${c.logLevel}"`);
  int("rateLimit.burst", c.rateLimit.burst, 1, 1_000_000);
  int("rateLimit.anonymousBurst", c.rateLimit.anonymousBurst, 1, 1_000_000);
  int("rateLimit.tokenBurst", c.rateLimit.tokenBurst, 1, 1_000_000);
  for (const path of ["perMinute", "anonymousPerMinute", "tokenPerMinute"] as const)
    if (!(c.rateLimit[path] > 0)) fail(`rateLimit.${path}`, `must be positive, got ${c.rateLimit[path]}`);
  // Bounded: a reply's expiry is now + ttl, and past the dates a clock can hold every keyed POST failed.
  if (!(c.idempotency.ttlHours > 0 && c.idempotency.ttlHours <= 8760)) fail("idempotency.ttlHours", `must be more than 0 and at most 8760 (a year), got ${c.idempotency.ttlHours}`);
  if (!(c.notifications.attachSignedMaxMb >= 0 && c.notifications.attachSignedMaxMb <= 100)) fail("notifications.attachSignedMaxMb", "must be between 0 and 100");
  int("smtp.port", c.smtp.port, 1, 65535);
  int("webhooks.timeoutMs", c.webhooks.timeoutMs, 100, 120_000);
  int("webhooks.concurrency", c.webhooks.concurrency, 1, 256);
  if (!(c.webhooks.disableAfterHours >= 0 && c.webhooks.disableAfterHours <= 8760)) fail("webhooks.disableAfterHours", `must be between 0 and 8760 (a year), got ${c.webhooks.disableAfterHours}`);
  int("pdf.workers", c.pdf.workers, 1, 64);
  int("pdf.timeoutSeconds", c.pdf.timeoutSeconds, 1, 3600);
  int("pdf.workerNice", c.pdf.workerNice, 0, 19);
  int("pdf.maxInflatedStreamMb", c.pdf.maxInflatedStreamMb, 1, 4096);
  int("pdf.maxInflatedTotalMb", c.pdf.maxInflatedTotalMb, 1, 16384);
  int("jobs.pollMs", c.jobs.pollMs, 10, 60_000);
  int("jobs.concurrency", c.jobs.concurrency, 1, 64);
  int("jobs.leaseSeconds", c.jobs.leaseSeconds, 1, 3600);
  int("jobs.keepDoneDays", c.jobs.keepDoneDays, 0, 36500);
  int("webhooks.keepDays", c.webhooks.keepDays, 0, 36500);
  int("sms.timeoutMs", c.sms.timeoutMs, 100, 120_000);
  int("retention.days", c.retention.days, 0, 36500);
  int("admin.sessionIdleMinutes", c.admin.sessionIdleMinutes, 1, 24 * 60);
  int("admin.sessionMaxHours", c.admin.sessionMaxHours, 1, 24 * 30);
  int("admin.lockoutAfter", c.admin.lockoutAfter, 1, 1000);
  int("admin.lockoutSeconds", c.admin.lockoutSeconds, 1, 3600);
  int("admin.lockoutMaxMinutes", c.admin.lockoutMaxMinutes, 1, 24 * 60);
  for (const [path, url] of [["baseUrl", c.baseUrl], ["sms.gatewayUrl", c.sms.gatewayUrl], ...c.seal.tsa.urls.map((u) => ["seal.tsa.urls", u] as const)] as const) {
    if (url && !URL.canParse(url)) fail(path, `not a URL: "${url}"`);
    // Pages are served, and time-stamp authorities and SMS gateways asked, over HTTP: anything else fails every use.
    if (url && !/^https?:$/.test(new URL(url).protocol)) fail(path, `must be an http:// or https:// URL, got "${url}"`);
  }
  // Empty is allowed: the console's Branding page may give the address.
  const fromAddress = /<([^<>]*)>\s*$/.exec(c.smtp.from)?.[1] ?? c.smtp.from;
  if (c.smtp.from && !/^[^\s@<>]+@[^\s@<>]+$/.test(fromAddress)) fail("smtp.from", `expected an address, or "Name <address>", got "${c.smtp.from}"`);
  if (c.baseUrl && URL.canParse(c.baseUrl)) {
    const base = new URL(c.baseUrl);
    // Pages, assets, cookies and links are all served from the host's root.
    if (base.pathname.replace(/\/+$/, "") || base.search || base.hash || base.username || base.password)
      fail("baseUrl", `must be the root of a host name, like https://sign.example.com: Certyneo serves its pages and signing links from /, so "${c.baseUrl}" would give links that lead nowhere`);
  }
  if (c.storage.url && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(c.storage.url))
    fail("storage.url", `expected s3://bucket/prefix (or empty for the data directory), got "${c.storage.url}"`);
  if (c.database.url && !/^postgres(ql)?:\/\/[^/]/.test(c.database.url))
    fail("database.url", "expected postgres://user:password@host:5432/database (or empty for SQLite in the data directory)");
  int("database.poolSize", c.database.poolSize, 1, 1000);
  if (c.storage.endpoint && !URL.canParse(c.storage.endpoint)) fail("storage.endpoint", `not a URL: "${c.storage.endpoint}"`);
  int("seal.tsa.timeoutMs", c.seal.tsa.timeoutMs, 100, 120_000);
  int("seal.revocationTimeoutMs", c.seal.revocationTimeoutMs, 100, 120_000);
  int("seal.extendBeforeDays", c.seal.extendBeforeDays, 1, 3650);
  int("verify.publicPerMinute", c.verify.publicPerMinute, 1, 10_000);
  if (!(PADES_LEVELS as readonly string[]).includes(c.seal.level)) fail("seal.level", `must be one of ${PADES_LEVELS.join(", ")}, got "${c.seal.level}"`);
  // A time-stamp is part of every level from B-T up: refuse at start what no TSA can give.
  if (atLeast(c.seal.level as PadesLevel, "B-T") && c.seal.tsa.urls.length === 0)
    fail("seal.level", `${c.seal.level} needs a time-stamp authority: set CERTYNEO_SEAL_TSA_URL, or choose B-B`);
  if (c.verify.trustAnchors && !c.verify.trustAnchors.includes("-----BEGIN") && !existsSync(c.verify.trustAnchors))
    fail("verify.trustAnchors", `no such file: "${c.verify.trustAnchors}" (a PEM bundle, as a path or the PEM text)`);
  if (c.seal.tsa.header && !/^[!#-'*+.0-9A-Z^-z|~-]+:/.test(c.seal.tsa.header)) fail("seal.tsa.header", `expected "Name: value", got "${c.seal.tsa.header}"`);
  const p11 = c.seal.pkcs11;
  if (p11.module) {
    if (c.seal.p12Path) fail("seal.pkcs11.module", "set either a PKCS#11 key or CERTYNEO_SEAL_P12_PATH, not both");
    for (const path of ["tokenLabel", "keyLabel"] as const) if (!p11[path]) fail(`seal.pkcs11.${path}`, "required with CERTYNEO_SEAL_PKCS11_MODULE");
    if (!p11.pin && !p11.pinFile) fail("seal.pkcs11.pin", "required with CERTYNEO_SEAL_PKCS11_MODULE (or CERTYNEO_SEAL_PKCS11_PIN_FILE)");
    if (p11.pin && p11.pinFile) fail("seal.pkcs11.pinFile", "set either the PIN or the PIN file, not both");
  } else if (c.seal.certificatePath) {
    fail("seal.certificatePath", "only used with a PKCS#11 key (CERTYNEO_SEAL_PKCS11_MODULE); a PKCS#12 file carries its own chain");
  }
}

/** Defaults from certyneo.config.ts, overridden by CERTYNEO_* variables, validated. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = structuredClone(defaults) as Config;
  const byEnv = new Map(leaves(defaults).map(([path, like]) => [envName(path), { path, like }]));
  for (const [alias, path] of Object.entries(ALIASES)) byEnv.set(alias, { path, like: [] });
  for (const [path, names] of Object.entries(STORAGE_FALLBACKS)) {
    const name = names.find((n) => env[n]);
    if (name && env[envName(path)] === undefined) setPath(config, path, env[name]);
  }
  for (const [name, { path, like }] of byEnv) {
    const raw = env[name];
    if (raw !== undefined) setPath(config, path, parseValue(name, raw, like));
  }
  // The default level follows the TSA: B-LTA with one, B-B without.
  if (!config.seal.level) config.seal.level = config.seal.tsa.urls.length > 0 ? "B-LTA" : "B-B";
  check(config);
  if (!config.baseUrl) config.baseUrl = `http://localhost:${config.port}`;
  config.baseUrl = config.baseUrl.replace(/\/+$/, "");
  return config;
}
