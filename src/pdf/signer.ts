// The signer as the CMS layer sees it: a certificate chain, an algorithm and a
// function that signs bytes. A PKCS#12 file (pkcs12.ts), a PKCS#11 token or a
// cloud KMS each implement it; the CMS code never touches a key.
import type { X509Certificate } from "@peculiar/x509";
import { signatureAlgorithmIdentifier, verificationParams } from "./algorithms.ts";

/** Digests a signature may use (WebCrypto names). */
export type HashName = "SHA-256" | "SHA-384" | "SHA-512";

/**
 * How `sign` signs, named as WebCrypto names it, so a WebCrypto key passes it unchanged.
 * `hash` is also the digest of the CMS message-digest attribute and of the PDF bytes.
 */
export type SignatureAlgorithm =
  | { name: "RSASSA-PKCS1-v1_5"; hash: HashName }
  /** RSASSA-PSS with MGF1 over the same hash; saltLength in bytes (the hash length is usual). */
  | { name: "RSA-PSS"; hash: HashName; saltLength: number }
  | { name: "ECDSA"; hash: HashName; namedCurve: "P-256" | "P-384" | "P-521" };

export interface Signer {
  /** The signing certificate first, then the certificates that issued it (the root may be left out). */
  readonly certificateChain: readonly X509Certificate[];
  readonly algorithm: SignatureAlgorithm;
  /**
   * The raw signature value over `data` (the DER of the CMS signed attributes), hashing
   * included: RSA as the modulus-sized octets, ECDSA as r||s of fixed width (IEEE P1363,
   * what WebCrypto and PKCS#11 CKM_ECDSA return; the CMS layer DER-encodes it).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A Signer over a WebCrypto private key (software keys: PKCS#12, development certificate). */
export function cryptoKeySigner(privateKey: CryptoKey, certificateChain: X509Certificate[], algorithm: SignatureAlgorithm): Signer {
  return {
    certificateChain,
    algorithm,
    sign: async (data) => new Uint8Array(await crypto.subtle.sign(algorithm, privateKey, data as Uint8Array<ArrayBuffer>)),
  };
}

/** Whether the signer's key is the one of its certificate: a probe signed, then verified with the certificate's public key. */
export async function signerMatchesCertificate(signer: Signer): Promise<boolean> {
  const certificate = signer.certificateChain[0];
  if (!certificate) return false;
  try {
    const probe = new TextEncoder().encode("certyneo key check");
    const params = verificationParams(signatureAlgorithmIdentifier(signer.algorithm), undefined, certificate);
    if (!params) return false;
    const publicKey = await certificate.publicKey.export(params.importParams, ["verify"], crypto);
    return await crypto.subtle.verify(params.verifyParams, publicKey, (await signer.sign(probe)) as Uint8Array<ArrayBuffer>, probe);
  } catch {
    return false; // e.g. an RSA certificate with an EC key
  }
}
