import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../clock";
import type { Config } from "../../config";
import type { Logger } from "../../log";
import { createDevelopmentP12 } from "../../pdf/devcert";
import { loadSigner, SignerError, type Signer } from "../../pdf/pkcs12";
import { writeFileOnce } from "../../store/files";

export interface SealingKey extends Signer {
  /** Sealing with the self-signed certificate generated on first start. */
  development: boolean;
}

export const DEVELOPMENT_P12 = "development-seal.p12";

/** The development PKCS#12's password, derived from the instance secret so no second secret file is needed. */
const developmentPassword = (secret: Uint8Array) =>
  new Bun.CryptoHasher("sha256", secret).update("certyneo development sealing key").digest("base64url");

function warnDevelopment(log: Logger, file: string) {
  log.warn("SEALING WITH A DEVELOPMENT CERTIFICATE: signed PDFs will not be trusted by validators. Set CERTYNEO_SEAL_P12_PATH and CERTYNEO_SEAL_P12_PASSWORD for production.", { file });
}

/**
 * The organisation's sealing key, loaded once and checked (readable, password, key matches,
 * validity, key usage). With no PKCS#12 configured, a self-signed development certificate is
 * generated in the data directory on first use and a warning is logged at every start.
 * Throws SignerError with one line naming the file when the key cannot seal.
 */
export function sealingKeyLoader(config: Config, clock: Clock, log: Logger, secret: Uint8Array): () => Promise<SealingKey> {
  let loading: Promise<SealingKey> | null = null;
  const load = async (): Promise<SealingKey> => {
    if (config.seal.p12Path) {
      const path = config.seal.p12Path;
      if (!existsSync(path)) throw new SignerError(`sealing certificate ${path}: file not found (CERTYNEO_SEAL_P12_PATH)`);
      if (statSync(path).isDirectory()) throw new SignerError(`sealing certificate ${path}: is a directory; CERTYNEO_SEAL_P12_PATH must name a PKCS#12 (.p12) file`);
      try {
        const signer = await loadSigner(new Uint8Array(readFileSync(path)), config.seal.p12Password, clock.now());
        log.info("sealing certificate loaded", { file: path, subject: signer.certificate.subject, notAfter: signer.certificate.notAfter.toISOString() });
        return { ...signer, development: false };
      } catch (e) {
        if (e instanceof SignerError) throw new SignerError(`sealing certificate ${path}: ${e.message}`);
        throw e;
      }
    }
    const file = join(config.dataDir, DEVELOPMENT_P12);
    const password = developmentPassword(secret);
    if (!existsSync(file)) {
      const p12 = await createDevelopmentP12({ commonName: `Certyneo development seal (${new URL(config.baseUrl).host})`, password, now: clock.now() });
      if (writeFileOnce(file, p12)) log.info("development sealing certificate created", { file });
    }
    warnDevelopment(log, file);
    try {
      const signer = await loadSigner(new Uint8Array(readFileSync(file)), password, clock.now());
      return { ...signer, development: true };
    } catch (e) {
      // It was made by this instance with a password from instance.key: damage, or a key replaced since.
      if (e instanceof SignerError)
        throw new SignerError(`development sealing certificate ${file}: ${e.message}; delete the file to have a new one made, or restore the instance.key it was made with`);
      throw e;
    }
  };
  return () => (loading ??= load().catch((e) => {
    loading = null;
    throw e;
  }));
}
