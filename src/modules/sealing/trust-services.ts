import { readFileSync } from "node:fs";
import type { X509Certificate } from "@peculiar/x509";
import type { Clock } from "../../clock";
import { ConfigError, type Config } from "../../config";
import type { Logger } from "../../log";
import { readPemBundle } from "../../pdf/certs";
import type { PadesLevel } from "../../pdf/levels";
import { onlineRevocation, type RevocationFetcher } from "../../pdf/revocation-fetch";
import { httpTimestamper, type Timestamper } from "../../pdf/tsa";

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
export function trustAnchorsOf(config: Pick<Config, "verify">): X509Certificate[] {
  const source = config.verify.trustAnchors;
  if (!source) return [];
  const pem = source.includes("-----BEGIN") ? source : readFileSync(source, "latin1");
  const anchors = readPemBundle(pem);
  if (anchors.length === 0) throw new ConfigError(`CERTYNEO_VERIFY_TRUST_ANCHORS (verify.trustAnchors): no certificate in the PEM bundle`);
  return anchors;
}

export function trustServices(config: Config, clock: Clock, log: Logger): TrustServices {
  const { urls, timeoutMs, username, password, header } = config.seal.tsa;
  return {
    level: config.seal.level as PadesLevel,
    timestamper: urls.length > 0 ? httpTimestamper({ endpoints: urls.map((url) => ({ url, username, password, header })), timeoutMs }) : undefined,
    revocation: onlineRevocation({
      timeoutMs: config.seal.revocationTimeoutMs,
      now: () => clock.now(),
      onFailure: (url, why) => log.warn("revocation source did not answer", { url, why }),
    }),
    trustAnchors: trustAnchorsOf(config),
  };
}
