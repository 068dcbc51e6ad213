import { existsSync, readFileSync, statSync } from "node:fs";
import type { Clock } from "../../clock";
import type { Config } from "../../config";
import type { Logger } from "../../log";
import { createDevelopmentP12 } from "../../pdf/devcert";
import { atLeast, type PadesLevel } from "../../pdf/levels";
import { loadSigner } from "../../pdf/pkcs12";
import { SignerError } from "../../errors";
import type { Signer } from "../../pdf/signer";
import { diskInstanceState, type InstanceState } from "../../store/instance-state";
import { openPkcs11SealingKey } from "./pkcs11-key";
import { trustAnchorsOf } from "./trust-services";
import { DEVELOPMENT_P12 } from "./paths";

export interface SealingKey extends Signer {
  /** Sealing with the self-signed certificate generated on first start. */
  development: boolean;
}

/**
 * B-LT and above need revocation data for every certificate of the chain: a certificate that
 * names no OCSP responder nor CRL distribution point, or a chain that stops short of its root,
 * is refused at start rather than at the first seal.
 */
async function refuseUnreachableLevel(config: Config, signer: Signer): Promise<void> {
  if (!atLeast(config.seal.level as PadesLevel, "B-LT")) return;
  const anchors = config.verify.trustAnchors ? trustAnchorsOf(config) : [];
  // Loaded here: the LTV module brings pdf-lib, which a start at B-B/B-T does not need.
  const { ltvObstacle } = await import("../../pdf/ltv");
  const obstacle = await ltvObstacle(sealingCertificate(signer), [...signer.certificateChain, ...anchors]);
  if (obstacle) throw new SignerError(`cannot seal at ${config.seal.level} (CERTYNEO_SEAL_LEVEL): ${obstacle}`);
}

/** The certificate the key seals with. */
export const sealingCertificate = (key: Signer) => key.certificateChain[0]!;

export { DEVELOPMENT_P12 };

/** The development PKCS#12's password, derived from the instance secret so no second secret file is needed. */
const developmentPassword = (secret: Uint8Array) =>
  new Bun.CryptoHasher("sha256", secret).update("certyneo development sealing key").digest("base64url");

function warnDevelopment(log: Logger, file: string) {
  log.warn("SEALING WITH A DEVELOPMENT CERTIFICATE: signed PDFs will not be trusted by validators. Set CERTYNEO_SEAL_P12_PATH and CERTYNEO_SEAL_P12_PASSWORD, or a PKCS#11 key (CERTYNEO_SEAL_PKCS11_*), for production.", { file });
}

/**
 * The organisation's sealing key, loaded once and checked (readable, password or PIN, key
 * matches, validity, key usage): a key in a PKCS#11 token, else a PKCS#12 file. With
 * neither configured, a self-signed development certificate is generated in the instance's
 * shared state (the data directory, or the bucket) on first use and a warning is logged at every start.
 * Throws SignerError with one line naming the file when the key cannot seal.
 */
export function sealingKeyLoader(config: Config, clock: Clock, log: Logger, secret: Uint8Array, state: InstanceState = diskInstanceState(config.dataDir)): () => Promise<SealingKey> {
  let loading: Promise<SealingKey> | null = null;
  const load = async (): Promise<SealingKey> => {
    if (config.seal.pkcs11.module) {
      const signer = await openPkcs11SealingKey(config.seal, clock.now());
      const certificate = sealingCertificate(signer);
      await refuseUnreachableLevel(config, signer);
      log.info("sealing key opened in a PKCS#11 token", {
        module: config.seal.pkcs11.module, token: config.seal.pkcs11.tokenLabel, key: config.seal.pkcs11.keyLabel,
        subject: certificate.subject, notAfter: certificate.notAfter.toISOString(),
      });
      return { ...signer, development: false };
    }
    if (config.seal.p12Path) {
      const path = config.seal.p12Path;
      if (!existsSync(path)) throw new SignerError(`sealing certificate ${path}: file not found (CERTYNEO_SEAL_P12_PATH)`);
      if (statSync(path).isDirectory()) throw new SignerError(`sealing certificate ${path}: is a directory; CERTYNEO_SEAL_P12_PATH must name a PKCS#12 (.p12) file`);
      try {
        const signer = await loadSigner(new Uint8Array(readFileSync(path)), config.seal.p12Password, clock.now(), { rsaPss: config.seal.rsaPss });
        const certificate = sealingCertificate(signer);
        await refuseUnreachableLevel(config, signer);
        log.info("sealing certificate loaded", { file: path, subject: certificate.subject, notAfter: certificate.notAfter.toISOString() });
        return { ...signer, development: false };
      } catch (e) {
        if (e instanceof SignerError) throw new SignerError(`sealing certificate ${path}: ${e.message}`);
        throw e;
      }
    }
    const file = state.where(DEVELOPMENT_P12);
    const password = developmentPassword(secret);
    let p12 = await state.read(DEVELOPMENT_P12);
    if (!p12) {
      const made = await createDevelopmentP12({ commonName: `Certyneo development seal (${new URL(config.baseUrl).host})`, password, now: clock.now() });
      p12 = await state.createOnce(DEVELOPMENT_P12, made);
      // Another node starting at the same time may have made it first: then this one reads it.
      if (Buffer.from(p12).equals(made)) log.info("development sealing certificate created", { file });
    }
    warnDevelopment(log, file);
    try {
      const signer = await loadSigner(p12, password, clock.now());
      return { ...signer, development: true };
    } catch (e) {
      // It was made by this instance with a password from instance.key: damage, or a key replaced since.
      if (e instanceof SignerError)
        throw new SignerError(`development sealing certificate ${file}: ${e.message}; delete it to have a new one made, or restore the instance.key it was made with`);
      throw e;
    }
  };
  return () => (loading ??= load().catch((e) => {
    loading = null;
    throw e;
  }));
}
