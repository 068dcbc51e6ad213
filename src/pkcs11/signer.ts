// A Signer whose key stays in a PKCS#11 token: the CMS layer hands it the signed
// attributes, the digest goes into the token, the signature value comes back.
import type { X509Certificate } from "@peculiar/x509";
import { digestOf } from "../pdf/algorithms";
import { readPemBundle } from "../pdf/certs";
import { buildChain, checkSigningCertificate } from "../pdf/signing-certificate";
import { SignerError } from "../errors";
import { signerMatchesCertificate, type SignatureAlgorithm, type Signer } from "../pdf/signer";
import { openTokenKey, type TokenKeyOptions } from "./token-key";

export interface Pkcs11SignerOptions extends TokenKeyOptions {
  /** PEM text of the certificate and its issuers; undefined: the certificates stored on the token. */
  certificatesPem?: string;
  /** RSA keys sign with RSASSA-PSS rather than PKCS#1 v1.5. */
  rsaPss: boolean;
  now: Date;
}

/** SHA-256 throughout, as the PKCS#12 signer does; an EC key's curve is its certificate's. */
function algorithmFor(keyType: "RSA" | "EC", certificate: X509Certificate, rsaPss: boolean): SignatureAlgorithm | undefined {
  if (keyType === "RSA") return rsaPss ? { name: "RSA-PSS", hash: "SHA-256", saltLength: 32 } : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const namedCurve = (certificate.publicKey.algorithm as Partial<EcKeyAlgorithm>).namedCurve;
  return namedCurve === "P-256" || namedCurve === "P-384" || namedCurve === "P-521" ? { name: "ECDSA", hash: "SHA-256", namedCurve } : undefined;
}

/**
 * Opens the labelled key of the labelled token and checks it can seal: PIN right, key
 * found, its certificate (from the PEM text or the token) matching it, valid now, usable
 * for signatures. Throws SignerError with one line naming the setting to fix.
 */
export async function openPkcs11Signer(opts: Pkcs11SignerOptions): Promise<Signer> {
  const key = openTokenKey(opts);
  const fromFile = opts.certificatesPem !== undefined;
  const certificates = fromFile ? readPemBundle(opts.certificatesPem!) : key.certificates();
  const notFound = () =>
    new SignerError(
      fromFile
        ? `the key ${JSON.stringify(opts.keyLabel)} matches no certificate of the file (${certificates.map((c) => c.subject).join("; ") || "none"}) (CERTYNEO_SEAL_CERTIFICATE_PATH)`
        : `no certificate for the key ${JSON.stringify(opts.keyLabel)} on token ${JSON.stringify(opts.tokenLabel)}: store it there (same CKA_ID as the key), or set CERTYNEO_SEAL_CERTIFICATE_PATH`,
    );
  const algorithms = certificates.map((c) => algorithmFor(key.keyType, c, opts.rsaPss));
  const probeAlgorithm = algorithms.find((a) => a !== undefined);
  if (!probeAlgorithm) throw notFound();
  // Signed once outside the matching below, so that a refusal of the token (mechanism, key
  // usage) is reported as such rather than as "matches no certificate".
  key.signDigest(digestOf(probeAlgorithm.hash, new TextEncoder().encode("certyneo token check")), probeAlgorithm);
  // The certificate of the key: the first whose public key verifies a probe the token signs.
  for (const [i, certificate] of certificates.entries()) {
    const algorithm = algorithms[i];
    if (!algorithm) continue;
    const signer: Signer = {
      certificateChain: buildChain(certificate, certificates),
      algorithm,
      sign: async (data) => key.signDigest(digestOf(algorithm.hash, data), algorithm),
    };
    if (!(await signerMatchesCertificate(signer))) continue;
    try {
      checkSigningCertificate(certificate, opts.now);
    } catch (e) {
      throw new SignerError(`sealing certificate ${certificate.subject}: ${(e as Error).message}`);
    }
    return signer;
  }
  throw notFound();
}
