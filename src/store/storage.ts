import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { S3Client } from "bun";
import { ConfigError, type Config } from "../config";
import { StartupError } from "../errors";
import type { Logger } from "../log";
import { diskFileStore, type FileStore } from "./files";
import { createdOnceAcrossNodes, diskInstanceState, s3InstanceState, type InstanceState } from "./instance-state";
import { s3FileStore, type S3Location } from "./s3-files";

/** Where an instance keeps its files and the state its nodes share. */
export interface Storage {
  files: FileStore;
  state: InstanceState;
  /**
   * 32 random bytes, created on first start: signing tokens are HMACs under it. Read from the
   * bucket by openStorage; for a data directory, openInstance loads {dataDir}/instance.key.
   */
  secret?: Uint8Array;
  /** The data directory's files/, or the s3:// URL: for log lines. */
  location: string;
}

export const INSTANCE_SECRET = "instance.key";

/** s3://bucket/prefix -> the bucket and a prefix that is empty or ends in "/". */
export function parseStorageUrl(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new ConfigError(`storage ${url}: expected s3://bucket/prefix`);
  const prefix = m[2]!.replace(/^\/+|\/+$/g, "");
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : "" };
}

/** The bucket of an s3:// URL with the credentials of the configuration (CERTYNEO_STORAGE_*, S3_*, AWS_*). */
export function s3Location(url: string, s: Config["storage"]): S3Location {
  const { bucket, prefix } = parseStorageUrl(url);
  const client = new S3Client({
    bucket,
    endpoint: s.endpoint || undefined,
    region: s.region || undefined,
    accessKeyId: s.accessKeyId || undefined,
    secretAccessKey: s.secretAccessKey || undefined,
    sessionToken: s.sessionToken || undefined,
  });
  return { client, bucket, prefix };
}

export function checkSecret(secret: Uint8Array, where: string): Uint8Array {
  if (secret.length !== 32) throw new StartupError(`${where} is damaged (expected 32 bytes, found ${secret.length}): restore it from your backup`);
  return secret;
}

/** A new secret would silently break every signing link already sent, and the stored webhook secrets. */
export const lostSecret = (where: string) =>
  new StartupError(`${where} is missing but the database holds envelopes: restore instance.key from your backup ` +
    "(signing links already sent and webhook secrets depend on it), or start with --accept-new-instance-key to make a new one and lose them");

/** The embedded default: blobs in {dataDir}/files, the instance secret and the development certificate beside the database. */
export function openDiskStorage(dataDir: string): Storage {
  const files = join(resolve(dataDir), "files");
  return { files: diskFileStore(files), state: diskInstanceState(resolve(dataDir)), location: files };
}

/** Why a bucket cannot be used, in one line an admin can act on. */
export function bucketProblem(e: any, loc: S3Location, endpoint: string): string {
  const code = String(e?.code ?? e?.name ?? "Error");
  const where = `s3://${loc.bucket}/${loc.prefix} at ${endpoint || "AWS"}`;
  if (code === "NoSuchBucket") return `storage ${where}: bucket "${loc.bucket}" does not exist`;
  if (/^(InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|ERR_S3_MISSING_CREDENTIALS|ERR_S3_INVALID_SIGNATURE)$/.test(code))
    return `storage ${where}: credentials refused (${code}); check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or CERTYNEO_STORAGE_*)`;
  if (/Connection|Socket|Timeout|DNS|ENOTFOUND|ECONNREFUSED|unable to connect/i.test(`${code} ${e?.message}`))
    return `storage ${where}: endpoint unreachable (${code}); check S3_ENDPOINT`;
  return `storage ${where}: ${code}: ${String(e?.message ?? e).split("\n")[0]}`;
}

/**
 * Checks that the bucket can be listed, written and deleted from (each start, before the server
 * listens), so a wrong bucket, key or endpoint stops the start with one line instead of failing
 * the first upload.
 */
async function checkBucket(loc: S3Location, endpoint: string): Promise<void> {
  const probe = `${loc.prefix}instance/.probe-${crypto.randomUUID()}`;
  try {
    await loc.client.list({ prefix: loc.prefix, maxKeys: 1 });
    await loc.client.write(probe, "probe");
    await loc.client.delete(probe);
  } catch (e) {
    throw new ConfigError(bucketProblem(e, loc, endpoint));
  }
}

/** A bucket, checked: its blobs and its shared state. */
async function openBucket(url: string, config: Config): Promise<Storage> {
  const loc = s3Location(url, config.storage);
  await checkBucket(loc, config.storage.endpoint);
  return { files: s3FileStore(loc), state: s3InstanceState(loc), location: `s3://${loc.bucket}/${loc.prefix}` };
}

/**
 * Another instance's storage, to copy into (migrate-data): an s3:// URL (with the credentials of
 * the configuration) or a data directory. Nothing is created in it yet, not even a secret.
 */
export function openStorageTarget(target: string, config: Config): Promise<Storage> {
  if (target.startsWith("s3://")) return openBucket(target, config);
  const dataDir = resolve(target.replace(/^file:\/\//, ""));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return Promise.resolve(openDiskStorage(dataDir));
}

/**
 * The storage the configuration names: CERTYNEO_STORAGE_URL's bucket (checked) with the instance
 * secret kept in it, made on first start under the same rule as on disk; else the data directory.
 */
export async function openStorage(
  config: Config,
  log?: Logger,
  opts: { holdsEnvelopes?: () => Promise<boolean>; acceptNewInstanceKey?: boolean; lock?: <T>(work: () => Promise<T>) => Promise<T> } = {},
): Promise<Storage> {
  if (!config.storage.url) return openDiskStorage(config.dataDir);
  const opened = await openBucket(config.storage.url, config);
  // Nodes starting together on a new instance: one makes the secret (and the development certificate).
  const bucket = opts.lock ? { ...opened, state: createdOnceAcrossNodes(opened.state, opts.lock) } : opened;
  const where = bucket.state.where(INSTANCE_SECRET);
  let stored = await bucket.state.read(INSTANCE_SECRET);
  if (!stored) {
    if ((await opts.holdsEnvelopes?.()) && !opts.acceptNewInstanceKey) throw lostSecret(where);
    const made = crypto.getRandomValues(new Uint8Array(32));
    stored = await bucket.state.createOnce(INSTANCE_SECRET, made);
    // Another node starting at the same time may have made it first: then this one reads it.
    if (Buffer.from(stored).equals(made)) log?.info("instance secret created", { file: where });
  }
  return { ...bucket, secret: checkSecret(stored, where) };
}
