// Algorithm identifiers in one place: digest OIDs, signature algorithms both
// ways (what we write into CMS, what we accept when verifying), ECDSA value
// encoding. OIDs and ASN.1 shapes come from @peculiar/asn1-rsa and -ecc.
import "reflect-metadata";
import {
  ECDSASigValue,
  id_ecdsaWithSHA1,
  id_ecdsaWithSHA256,
  id_ecdsaWithSHA384,
  id_ecdsaWithSHA512,
  id_ecPublicKey,
} from "@peculiar/asn1-ecc";
import {
  id_mgf1,
  id_rsaEncryption,
  id_RSASSA_PSS,
  id_sha1,
  id_sha1WithRSAEncryption,
  id_sha256,
  id_sha256WithRSAEncryption,
  id_sha384,
  id_sha384WithRSAEncryption,
  id_sha512,
  id_sha512WithRSAEncryption,
  RSAPublicKey,
  RsaSaPssParams,
} from "@peculiar/asn1-rsa";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import type { X509Certificate } from "@peculiar/x509";
import { derFrame, derUnsignedInteger, TAG } from "./der.ts";
import type { HashName, SignatureAlgorithm } from "./signer.ts";

/** WebCrypto digest names, SHA-1 included for what others signed long ago. */
export type DigestName = HashName | "SHA-1";

const digestOids: Record<string, DigestName> = { [id_sha1]: "SHA-1", [id_sha256]: "SHA-256", [id_sha384]: "SHA-384", [id_sha512]: "SHA-512" };
const oidOfDigest = Object.fromEntries(Object.entries(digestOids).map(([oid, name]) => [name, oid])) as Record<DigestName, string>;

/** The digest an OID names, if we support it. */
export const digestOfOid = (oid: string): DigestName | undefined => digestOids[oid];

/** The AlgorithmIdentifier of a digest (parameters absent, as RFC 5754 prefers). */
export const digestAlgorithm = (hash: DigestName) => new AlgorithmIdentifier({ algorithm: oidOfDigest[hash] });

/** "SHA-256" -> "sha256", the name node:crypto and Bun.CryptoHasher take. */
export const nodeHashName = (hash: DigestName) => hash.replace("-", "").toLowerCase() as "sha256";

/** Digest of the concatenation of `parts`, hashed in place. */
export function digestOf(hash: DigestName, ...parts: Uint8Array[]): Uint8Array {
  const hasher = new Bun.CryptoHasher(nodeHashName(hash));
  for (const p of parts) hasher.update(p);
  return new Uint8Array(hasher.digest());
}


const rsaPkcs1Oids: Record<HashName, string> = {
  "SHA-256": id_sha256WithRSAEncryption,
  "SHA-384": id_sha384WithRSAEncryption,
  "SHA-512": id_sha512WithRSAEncryption,
};
const ecdsaOids: Record<HashName, string> = { "SHA-256": id_ecdsaWithSHA256, "SHA-384": id_ecdsaWithSHA384, "SHA-512": id_ecdsaWithSHA512 };

const pssParams = (hash: HashName, saltLength: number) =>
  new RsaSaPssParams({
    hashAlgorithm: digestAlgorithm(hash),
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(digestAlgorithm(hash)) }),
    saltLength,
  });

/** The CMS signatureAlgorithm for what a Signer does. */
export function signatureAlgorithmIdentifier(alg: SignatureAlgorithm): AlgorithmIdentifier {
  switch (alg.name) {
    case "RSASSA-PKCS1-v1_5":
      return new AlgorithmIdentifier({ algorithm: rsaPkcs1Oids[alg.hash], parameters: null });
    case "RSA-PSS":
      return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(pssParams(alg.hash, alg.saltLength)) });
    case "ECDSA":
      return new AlgorithmIdentifier({ algorithm: ecdsaOids[alg.hash] });
  }
}

/** How to check a signature: import parameters for the public key, parameters for verify. */
export interface VerificationParams {
  importParams: RsaHashedImportParams | EcKeyImportParams;
  verifyParams: Algorithm | RsaPssParams | EcdsaParams;
}

const rsaPkcs1Hashes: Record<string, DigestName | undefined> = {
  [id_rsaEncryption]: undefined, // the hash comes from the digest algorithm
  [id_sha1WithRSAEncryption]: "SHA-1",
  [id_sha256WithRSAEncryption]: "SHA-256",
  [id_sha384WithRSAEncryption]: "SHA-384",
  [id_sha512WithRSAEncryption]: "SHA-512",
};
const ecdsaHashes: Record<string, DigestName | undefined> = {
  [id_ecPublicKey]: undefined,
  [id_ecdsaWithSHA1]: "SHA-1",
  [id_ecdsaWithSHA256]: "SHA-256",
  [id_ecdsaWithSHA384]: "SHA-384",
  [id_ecdsaWithSHA512]: "SHA-512",
};

/**
 * WebCrypto parameters to verify a signature made with `alg` (a SignerInfo's or a
 * certificate's signatureAlgorithm), `digest` standing in where the OID names no hash.
 * Undefined for what we cannot check (MGF1 over another hash, unknown algorithms).
 */
export function verificationParams(alg: AlgorithmIdentifier, digest: DigestName | undefined, cert: X509Certificate): VerificationParams | undefined {
  if (alg.algorithm in rsaPkcs1Hashes) {
    const hash = rsaPkcs1Hashes[alg.algorithm] ?? digest;
    return hash && { importParams: { name: "RSASSA-PKCS1-v1_5", hash }, verifyParams: { name: "RSASSA-PKCS1-v1_5" } };
  }
  if (alg.algorithm === id_RSASSA_PSS) {
    // Absent parameters mean the RFC 4055 defaults: SHA-1, MGF1-SHA-1, 20 bytes of salt.
    const params = alg.parameters ? AsnConvert.parse(alg.parameters, RsaSaPssParams) : new RsaSaPssParams();
    const hash = digestOfOid(params.hashAlgorithm.algorithm);
    const mgfHash = params.maskGenAlgorithm.parameters
      ? digestOfOid(AsnConvert.parse(params.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm)
      : undefined;
    if (!hash || params.maskGenAlgorithm.algorithm !== id_mgf1 || mgfHash !== hash) return undefined;
    return { importParams: { name: "RSA-PSS", hash }, verifyParams: { name: "RSA-PSS", saltLength: params.saltLength } as RsaPssParams };
  }
  if (alg.algorithm in ecdsaHashes) {
    const hash = ecdsaHashes[alg.algorithm] ?? digest;
    const namedCurve = (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve;
    return hash && namedCurve ? { importParams: { name: "ECDSA", namedCurve }, verifyParams: { name: "ECDSA", hash } as EcdsaParams } : undefined;
  }
  return undefined;
}

const curveSizes: Record<string, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };
export const ecCoordinateSize = (namedCurve: string): number | undefined => curveSizes[namedCurve];

/** ECDSA r||s (WebCrypto, PKCS#11) as the DER ECDSA-Sig-Value that CMS carries: SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return derFrame(TAG.SEQUENCE, [derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half))]);
}

/** A DER ECDSA-Sig-Value back to r||s of fixed width, as WebCrypto verifies it. */
export function ecdsaFromDer(der: Uint8Array, size: number): Uint8Array {
  const { r, s } = AsnConvert.parse(der, ECDSASigValue);
  const fixed = (integer: ArrayBuffer) => {
    const bytes = new Uint8Array(integer);
    const trimmed = bytes.subarray(Math.max(0, bytes.length - size));
    const out = new Uint8Array(size);
    out.set(trimmed, size - trimmed.length);
    return out;
  };
  return new Uint8Array(Buffer.concat([fixed(r), fixed(s)]));
}

/** The longest raw signature `sign` can return for this certificate and algorithm (dry-run sizing). */
export function maxSignatureLength(alg: SignatureAlgorithm, cert: X509Certificate): number {
  if (alg.name === "ECDSA") return 2 * curveSizes[alg.namedCurve]!;
  const spki = AsnConvert.parse(cert.publicKey.rawData, SubjectPublicKeyInfo);
  const modulus = new Uint8Array(AsnConvert.parse(spki.subjectPublicKey, RSAPublicKey).modulus);
  return modulus[0] === 0 ? modulus.length - 1 : modulus.length;
}

/**
 * Whether `signature` over `data` verifies with `cert`'s public key under `alg` (a
 * certificate's, CRL's, OCSP response's or SignerInfo's signatureAlgorithm). ECDSA values
 * come as DER ECDSA-Sig-Value, as X.509 and CMS carry them.
 */
export async function signatureVerifies(
  cert: X509Certificate, alg: AlgorithmIdentifier, signature: Uint8Array, data: Uint8Array, digest?: DigestName,
): Promise<boolean> {
  try {
    const params = verificationParams(alg, digest, cert);
    if (!params) return false;
    let value = signature;
    if (params.importParams.name === "ECDSA") {
      const size = ecCoordinateSize((params.importParams as EcKeyImportParams).namedCurve as string);
      if (!size) return false;
      value = ecdsaFromDer(signature, size);
    }
    const key = await cert.publicKey.export(params.importParams, ["verify"], crypto);
    return await crypto.subtle.verify(params.verifyParams, key, value as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
  } catch {
    return false; // a key that does not fit the algorithm, a malformed value
  }
}
