/**
 * The start's check of a PKCS#12 sealing key, remembered. Loading one (ASN.1 parsing, the key
 * derivation, a test signature) and the certificate libraries it needs were about a third of a
 * cold start, spent again at every start on the same bytes. A check that passed is recorded in
 * the data directory under an HMAC, by the instance key, of everything it depended on: the
 * file's bytes, its password and name, the seal settings, the trust anchors and the version. A
 * start whose inputs give the same HMAC, inside the certificate's validity, skips the check;
 * any change, or no record, runs it again, and the key itself then loads at the first seal.
 * A PKCS#11 key is always opened: the token (its PIN, its presence) is what is checked.
 * This module loads no certificate library: that is its point.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../clock";
import type { Config } from "../../config";
import { SignerError } from "../../errors";
import type { Logger } from "../../log";
import { writeFileAtomic } from "../../store/files";
import type { InstanceState } from "../../store/instance-state";
import { VERSION } from "../../version";
import { DEVELOPMENT_P12 } from "./paths";
import type { SealingKey } from "./key";

/** A PKCS#12 to load: the configured file, or the development one in the instance's shared state. */
export interface P12Source {
  /** Where it is, for log lines and errors. */
  file: string;
  bytes: Uint8Array;
  password: string;
  development: boolean;
}

/** What the check learnt of the certificate, kept for the start's log line and its validity. */
interface CheckedCertificate {
  subject: string;
  notBefore: string;
  notAfter: string;
}

/** The record's file in the data directory (each node keeps its own; backups leave it out). */
export const KEY_CHECK_RECORD = "sealing-key.checked";

/** The development PKCS#12's password, derived from the instance secret so no second secret file is needed. */
export const developmentPassword = (secret: Uint8Array) =>
  new Bun.CryptoHasher("sha256", secret).update("certyneo development sealing key").digest("base64url");

export const p12Digest = (bytes: Uint8Array) => Bun.CryptoHasher.hash("sha256", bytes, "base64url");

/**
 * The configured PKCS#12, else the development one (null while none was made). A configured
 * path that names no file is a SignerError naming the setting.
 */
export async function p12Source(config: Config, secret: Uint8Array, state: InstanceState): Promise<P12Source | null> {
  const path = config.seal.p12Path;
  if (path) {
    if (!existsSync(path)) throw new SignerError(`sealing certificate ${path}: file not found (CERTYNEO_SEAL_P12_PATH)`);
    if (statSync(path).isDirectory()) throw new SignerError(`sealing certificate ${path}: is a directory; CERTYNEO_SEAL_P12_PATH must name a PKCS#12 (.p12) file`);
    return { file: path, bytes: new Uint8Array(readFileSync(path)), password: config.seal.p12Password, development: false };
  }
  const bytes = await state.read(DEVELOPMENT_P12);
  return bytes && { file: state.where(DEVELOPMENT_P12), bytes, password: developmentPassword(secret), development: true };
}

function macOf(config: Config, secret: Uint8Array, source: P12Source, certificate: CheckedCertificate): string {
  const anchors = config.verify.trustAnchors;
  const anchorsText = anchors && !anchors.includes("-----BEGIN") ? readFileSync(anchors, "latin1") : anchors;
  const inputs = [VERSION, source.file, source.password, p12Digest(source.bytes), config.seal, anchorsText, certificate];
  return new Bun.CryptoHasher("sha256", secret).update(JSON.stringify(inputs)).digest("base64url");
}

/** The recorded check of these very inputs, if one is recorded and `now` is inside the certificate's validity. */
function recalled(config: Config, secret: Uint8Array, source: P12Source, now: Date): CheckedCertificate | null {
  try {
    const { mac, ...certificate } = JSON.parse(readFileSync(join(config.dataDir, KEY_CHECK_RECORD), "utf8"));
    const valid = new Date(certificate.notBefore) <= now && now <= new Date(certificate.notAfter);
    return valid && mac === macOf(config, secret, source, certificate) ? certificate : null;
  } catch {
    // None yet, or unreadable: the check runs and writes a new one.
    return null;
  }
}

async function remember(config: Config, secret: Uint8Array, source: P12Source, key: SealingKey, log: Logger) {
  const cert = key.certificateChain[0]!;
  const certificate: CheckedCertificate = { subject: cert.subject, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() };
  try {
    const record = JSON.stringify({ ...certificate, mac: macOf(config, secret, source, certificate) });
    await writeFileAtomic(join(config.dataDir, KEY_CHECK_RECORD), [new TextEncoder().encode(record)]);
  } catch (e) {
    // Only the next start's speed depends on it.
    log.warn("could not record the sealing key's check; the next start checks it again", { error: (e as Error).message });
  }
}

export interface KeyCheckContext {
  config: Config;
  clock: Clock;
  log: Logger;
  secret: Uint8Array;
  state: InstanceState;
  /** The full load (memoised by the caller, so a check that ran leaves the key loaded for the first seal). */
  load: () => Promise<SealingKey>;
}

/**
 * The start's check: recalled when this instance checked the same inputs before, else the full
 * load (whose SignerError stops the start), then recorded. The development warning is logged
 * either way.
 */
export async function checkSealingKey({ config, clock, log, secret, state, load }: KeyCheckContext): Promise<void> {
  if (config.seal.pkcs11.module) return void (await load());
  const source = await p12Source(config, secret, state);
  const certificate = source && recalled(config, secret, source, clock.now());
  if (source && certificate) {
    if (source.development) warnDevelopment(log, source.file);
    else log.info("sealing certificate unchanged since its last check", { file: source.file, subject: certificate.subject, notAfter: certificate.notAfter });
    return;
  }
  const key = await load();
  // Without a source, the load has just made the development key.
  const loaded = source ?? (await p12Source(config, secret, state));
  // Recorded only if the load read the bytes this check read (a file replaced meanwhile is checked at the next start).
  if (loaded && key.p12Digest === p12Digest(loaded.bytes)) await remember(config, secret, loaded, key, log);
}

const warned = new WeakMap<Logger, Set<string>>();

/**
 * The development certificate's warning, once per logger and file: a start warns, and the
 * first seal's load after a start that recalled its check does not say it again.
 */
export function warnDevelopment(log: Logger, file: string) {
  const files = warned.get(log) ?? new Set<string>();
  if (files.has(file)) return;
  warned.set(log, files.add(file));
  log.warn("SEALING WITH A DEVELOPMENT CERTIFICATE: signed PDFs will not be trusted by validators. Set CERTYNEO_SEAL_P12_PATH and CERTYNEO_SEAL_P12_PASSWORD, or a PKCS#11 key (CERTYNEO_SEAL_PKCS11_*), for production.", { file });
}
