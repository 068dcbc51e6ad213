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
import { developmentPassword, p12Digest, p12Source, warnDevelopment } from "./key-check";

export interface SealingKey extends Signer {
  /** Sealing with the self-signed certificate generated on first start. */
  development: boolean;
  /** The SHA-256 of the PKCS#12 it was loaded from (key-check.ts); none for a PKCS#11 key. */
  p12Digest?: string;
}

/**
 * B-LT and above need revocation data for every certificate of the chain: a certificate that
 * names no OCSP responder nor CRL distribution point, or a chain that stops short of its root,
 * is refused at start rather than at the first seal.
 */
async function refuseUnreachableLevel(config: Config, signer: Signer): Promise<void> {
  if (!atLeast(config.seal.level as PadesLevel, "B-LT")) return;
  const anchors = await trustAnchorsOf(config);
  // Loaded here: the LTV module brings pdf-lib, which a start at B-B/B-T does not need.
  const { ltvObstacle } = await import("../../pdf/ltv");
  const obstacle = await ltvObstacle(sealingCertificate(signer), [...signer.certificateChain, ...anchors]);
  if (obstacle) throw new SignerError(`cannot seal at ${config.seal.level} (CERTYNEO_SEAL_LEVEL): ${obstacle}`);
}

/** The certificate the key seals with. */
export const sealingCertificate = (key: Signer) => key.certificateChain[0]!;

export { DEVELOPMENT_P12 };

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
    let source = await p12Source(config, secret, state);
    if (!source) {
      const file = state.where(DEVELOPMENT_P12);
      const password = developmentPassword(secret);
      const made = await createDevelopmentP12({ commonName: `Certyneo development seal (${new URL(config.baseUrl).host})`, password, now: clock.now() });
      const p12 = await state.createOnce(DEVELOPMENT_P12, made);
      // Another node starting at the same time may have made it first: then this one reads it.
      if (Buffer.from(p12).equals(made)) log.info("development sealing certificate created", { file });
      source = { file, bytes: p12, password, development: true };
    }
    const { file, bytes, password, development } = source;
    if (development) warnDevelopment(log, file);
    try {
      const signer = await loadSigner(bytes, password, clock.now(), development ? {} : { rsaPss: config.seal.rsaPss });
      if (!development) {
        const certificate = sealingCertificate(signer);
        await refuseUnreachableLevel(config, signer);
        log.info("sealing certificate loaded", { file, subject: certificate.subject, notAfter: certificate.notAfter.toISOString() });
      }
      return { ...signer, development, p12Digest: p12Digest(bytes) };
    } catch (e) {
      if (!(e instanceof SignerError)) throw e;
      // The development one was made by this instance with a password from instance.key: damage, or a key replaced since.
      throw new SignerError(development
        ? `development sealing certificate ${file}: ${e.message}; delete it to have a new one made, or restore the instance.key it was made with`
        : `sealing certificate ${file}: ${e.message}`);
    }
  };
  return () => (loading ??= load().catch((e) => {
    loading = null;
    throw e;
  }));
}
