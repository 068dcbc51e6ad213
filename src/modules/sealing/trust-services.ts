import { readFileSync } from "node:fs";
import type { X509Certificate } from "@peculiar/x509";
import type { Clock } from "../../clock";
import { ConfigError, type Config } from "../../config";
import type { Logger } from "../../log";
import type { PadesLevel } from "../../pdf/levels";
import type { RevocationFetcher, RevocationFetcherOptions } from "../../pdf/revocation-fetch";
import type { HashName } from "../../pdf/signer";
import type { Timestamper, TimestamperOptions } from "../../pdf/tsa";

/** What sealing beyond B-B and verifying trust need from outside: authorities, responders, anchors. */
export interface TrustServices {
  /** The PAdES level seals are made at (seal.level, defaulted by the config). */
  level: PadesLevel;
  /** The configured time-stamp authorities, tried in order; undefined when none is configured. */
  timestamper: Timestamper | undefined;
  /** OCSP/CRL fetching with its cache, shared by every seal of the process. */
  revocation: RevocationFetcher;
  /** verify.trustAnchors, read once. */
  trustAnchors: X509Certificate[];
}

/** verify.trustAnchors: a PEM bundle given as a path or as the PEM text. */
export async function trustAnchorsOf(config: Pick<Config, "verify">): Promise<X509Certificate[]> {
  const source = config.verify.trustAnchors;
  if (!source) return [];
  const pem = source.includes("-----BEGIN") ? source : readFileSync(source, "latin1");
  const { readPemBundle } = await import("../../pdf/certs");
  const anchors = readPemBundle(pem);
  if (anchors.length === 0) throw new ConfigError(`CERTYNEO_VERIFY_TRUST_ANCHORS (verify.trustAnchors): no certificate in the PEM bundle`);
  return anchors;
}

// The time-stamp and revocation clients are made on first use: their ASN.1 code is a cold
// start's cost, and only sealing beyond B-B needs it.
function lazyTimestamper(options: TimestamperOptions & { hash: HashName }): Timestamper {
  let made: Promise<Timestamper> | undefined;
  const real = () => (made ??= import("../../pdf/tsa").then((m) => m.httpTimestamper(options)));
  return {
    hash: options.hash,
    timestamp: async (digest) => (await real()).timestamp(digest),
    sizingToken: async () => (await real()).sizingToken(),
  };
}

function lazyRevocation(options: RevocationFetcherOptions): RevocationFetcher {
  let made: Promise<RevocationFetcher> | undefined;
  return { fetch: async (cert, issuer) => (await (made ??= import("../../pdf/revocation-fetch").then((m) => m.onlineRevocation(options)))).fetch(cert, issuer) };
}

export async function trustServices(config: Config, clock: Clock, log: Logger): Promise<TrustServices> {
  const { urls, timeoutMs, username, password, header } = config.seal.tsa;
  return {
    level: config.seal.level as PadesLevel,
    timestamper: urls.length > 0 ? lazyTimestamper({ endpoints: urls.map((url) => ({ url, username, password, header })), timeoutMs, hash: "SHA-256" }) : undefined,
    revocation: lazyRevocation({
      timeoutMs: config.seal.revocationTimeoutMs,
      now: () => clock.now(),
      onFailure: (url, why) => log.warn("revocation source did not answer", { url, why }),
    }),
    trustAnchors: await trustAnchorsOf(config),
  };
}
