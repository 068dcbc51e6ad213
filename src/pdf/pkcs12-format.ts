// PKCS#12 pieces shared by the reader (pkcs12.ts) and the writer
// (pkcs12-writer.ts): ASN.1 shapes the @peculiar schemas lack, OIDs, and the
// RFC 7292 key derivation that WebCrypto does not offer.
import "reflect-metadata";
import { EncryptedContentInfo } from "@peculiar/asn1-cms";
import { AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

// --- ASN.1 shapes the @peculiar schemas lack ---------------------------------

/** RFC 5652 EncryptedData (a PKCS#12 safe encrypted with a password). */
export class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  constructor(params: Partial<EncryptedData> = {}) {
    Object.assign(this, params);
  }
}

/** RFC 7292 pkcs-12PbeParams. */
export class Pkcs12PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

/** RFC 8018 PBES2-params. */
export class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
  constructor(params: Partial<Pbes2Params> = {}) {
    Object.assign(this, params);
  }
}

export const id_hmacWithSHA1 = "1.2.840.113549.2.7";

/** RFC 8018 PBKDF2-params (salt as the `specified` OCTET STRING choice). */
export class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, defaultValue: new AlgorithmIdentifier({ algorithm: id_hmacWithSHA1, parameters: null }) })
  prf = new AlgorithmIdentifier({ algorithm: id_hmacWithSHA1, parameters: null });
  constructor(params: Partial<Pbkdf2Params> = {}) {
    Object.assign(this, params);
  }
}

export const id_PBES2 = "1.2.840.113549.1.5.13";
export const id_PBKDF2 = "1.2.840.113549.1.5.12";
export const id_encryptedData = "1.2.840.113549.1.7.6";
export const id_localKeyId = "1.2.840.113549.1.9.21";

const hashBlockSize = (hash: string) => (hash === "sha384" || hash === "sha512" ? 128 : 64);

/** RFC 7292 passwords are BMPStrings (UTF-16BE) with a terminating NUL. */
function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) {
    out[2 * i] = password.charCodeAt(i) >> 8;
    out[2 * i + 1] = password.charCodeAt(i) & 0xff;
  }
  return out;
}

/** RFC 7292 appendix B.2 key derivation. id: 1 key, 2 IV, 3 MAC key. */
export function pkcs12Kdf(hash: string, password: string, salt: Uint8Array, id: 1 | 2 | 3, iterations: number, length: number): Uint8Array {
  const v = hashBlockSize(hash);
  const fill = (src: Uint8Array) => {
    const out = new Uint8Array(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = new Uint8Array(v).fill(id);
  const I = Buffer.concat([fill(salt), fill(bmpPassword(password))]);
  const result: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = new Bun.CryptoHasher(hash as Bun.SupportedCryptoAlgorithms).update(D).update(I).digest();
    // The static hash: an object per round cost ~3 µs, most of a cold start's key check (2048 rounds).
    for (let r = 1; r < iterations; r++) A = Bun.CryptoHasher.hash(hash as Bun.SupportedCryptoAlgorithms, A);
    result.push(A);
    produced += A.length;
    // I_j = (I_j + B + 1) mod 2^(8v), with B = A repeated to v bytes
    const B = fill(A).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, length);
}

