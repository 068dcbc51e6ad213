// Loading (and writing) the signer's PKCS#12 file.
//
// WebCrypto knows neither the PKCS#12 key derivation (RFC 7292 appendix B) nor
// the legacy 3DES/RC2 ciphers that older OpenSSL and Windows exports still use,
// so the container is decrypted here with node:crypto; the key itself is then
// imported into Bun's WebCrypto, which does the signing.
import "reflect-metadata";
import nodeCrypto from "node:crypto";
import { ContentInfo, EncryptedContent, EncryptedContentInfo, id_data } from "@peculiar/asn1-cms";
import { ECParameters, id_secp256r1, id_secp384r1 } from "@peculiar/asn1-ecc";
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  MacData,
  PFX,
  PKCS12Attribute,
  SafeBag,
  SafeContents,
} from "@peculiar/asn1-pfx";
import { EncryptedData as Pkcs8EncryptedData, EncryptedPrivateKeyInfo, PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { KeyUsageFlags, KeyUsagesExtension, X509Certificate } from "@peculiar/x509";

export interface Signer {
  certificate: X509Certificate;
  /** Signer first, then the certificates that issued it. */
  chain: X509Certificate[];
  privateKey: CryptoKey;
  keyAlgorithm: "RSA" | "ECDSA";
}

/** The PKCS#12 file cannot be used to sign; the message is one human line. */
export class SignerError extends Error {
  override name = "SignerError";
}

// --- ASN.1 shapes the @peculiar schemas lack ---------------------------------

/** RFC 5652 EncryptedData (a PKCS#12 safe encrypted with a password). */
class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  constructor(params: Partial<EncryptedData> = {}) {
    Object.assign(this, params);
  }
}

/** RFC 7292 pkcs-12PbeParams. */
class Pkcs12PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

/** RFC 8018 PBES2-params. */
class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
  constructor(params: Partial<Pbes2Params> = {}) {
    Object.assign(this, params);
  }
}

const id_hmacWithSHA1 = "1.2.840.113549.2.7";

/** RFC 8018 PBKDF2-params (salt as the `specified` OCTET STRING choice). */
class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, defaultValue: new AlgorithmIdentifier({ algorithm: id_hmacWithSHA1, parameters: null }) })
  prf = new AlgorithmIdentifier({ algorithm: id_hmacWithSHA1, parameters: null });
  constructor(params: Partial<Pbkdf2Params> = {}) {
    Object.assign(this, params);
  }
}

// --- algorithms ----------------------------------------------------------------

const id_PBES2 = "1.2.840.113549.1.5.13";
const id_PBKDF2 = "1.2.840.113549.1.5.12";
const id_encryptedData = "1.2.840.113549.1.7.6";
const id_localKeyId = "1.2.840.113549.1.9.21";
const id_rsaEncryption = "1.2.840.113549.1.1.1";
const id_ecPublicKey = "1.2.840.10045.2.1";

/** PKCS#12 password-based encryption schemes (RFC 7292 appendix C): cipher, key length. */
const pkcs12Pbe: Record<string, { cipher: string; keyLength: number }> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.5": { cipher: "rc2-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.6": { cipher: "rc2-40-cbc", keyLength: 5 },
};

const pbes2Ciphers: Record<string, { cipher: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyLength: 24 },
};

const hmacHashes: Record<string, string> = {
  [id_hmacWithSHA1]: "sha1",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

export const id_sha256 = "2.16.840.1.101.3.4.2.1";

const digestHashes: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  [id_sha256]: "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

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
    let A = nodeCrypto.createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = nodeCrypto.createHash(hash).update(A).digest();
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

function decipher(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  try {
    const d = nodeCrypto.createDecipheriv(cipher, key, iv);
    return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
  } catch {
    // A bad padding after decryption is what a wrong password looks like without a MAC.
    throw new SignerError("wrong password (decryption failed)");
  }
}

/** Decrypts data protected by a PKCS#12 PBE or PBES2 algorithm identifier. */
function decryptWithPassword(alg: AlgorithmIdentifier, password: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const params = new Uint8Array(alg.parameters ?? new ArrayBuffer(0));
  const legacy = pkcs12Pbe[alg.algorithm];
  if (legacy) {
    const pbe = AsnConvert.parse(params, Pkcs12PbeParams);
    const salt = new Uint8Array(pbe.salt.buffer);
    const key = pkcs12Kdf("sha1", password, salt, 1, pbe.iterations, legacy.keyLength);
    const iv = pkcs12Kdf("sha1", password, salt, 2, pbe.iterations, 8);
    return decipher(legacy.cipher, key, iv, data);
  }
  if (alg.algorithm === id_PBES2) {
    const pbes2 = AsnConvert.parse(params, Pbes2Params);
    if (pbes2.keyDerivationFunc.algorithm !== id_PBKDF2) throw new SignerError(`unsupported key derivation ${pbes2.keyDerivationFunc.algorithm}`);
    const kdf = AsnConvert.parse(pbes2.keyDerivationFunc.parameters!, Pbkdf2Params);
    const scheme = pbes2Ciphers[pbes2.encryptionScheme.algorithm];
    const hash = hmacHashes[kdf.prf.algorithm];
    if (!scheme || !hash) throw new SignerError(`unsupported encryption ${pbes2.encryptionScheme.algorithm} / ${kdf.prf.algorithm}`);
    const iv = new Uint8Array(AsnConvert.parse(pbes2.encryptionScheme.parameters!, OctetString).buffer);
    // Passwords for PBKDF2 are UTF-8 (RFC 8018), unlike the PKCS#12 KDF.
    const key = nodeCrypto.pbkdf2Sync(password, new Uint8Array(kdf.salt.buffer), kdf.iterationCount, scheme.keyLength, hash);
    return decipher(scheme.cipher, key, iv, data);
  }
  throw new SignerError(`unsupported encryption algorithm ${alg.algorithm}`);
}

function octets(value: ArrayBuffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(AsnConvert.parse(value, OctetString).buffer);
}

function verifyMac(mac: MacData, password: string, authSafe: Uint8Array): void {
  const hash = digestHashes[mac.mac.digestAlgorithm.algorithm];
  if (!hash) throw new SignerError(`unsupported MAC digest ${mac.mac.digestAlgorithm.algorithm}`);
  const expected = new Uint8Array(mac.mac.digest.buffer);
  const key = pkcs12Kdf(hash, password, new Uint8Array(mac.macSalt.buffer), 3, mac.iterations, expected.length);
  const actual = nodeCrypto.createHmac(hash, key).update(authSafe).digest();
  if (!nodeCrypto.timingSafeEqual(actual, expected)) throw new SignerError("wrong password");
}

interface Bag {
  kind: "key" | "cert";
  der: Uint8Array<ArrayBuffer>;
  localKeyId?: string;
}

function readBags(pfx: PFX, password: string): Bag[] {
  if (pfx.authSafe.contentType !== id_data) throw new SignerError("public-key protected PKCS#12 files are not supported");
  const authSafe = octets(pfx.authSafe.content);
  if (pfx.macData) verifyMac(pfx.macData, password, authSafe);
  const bags: Bag[] = [];
  for (const info of AsnConvert.parse(authSafe, AuthenticatedSafe)) {
    let safe: Uint8Array;
    if (info.contentType === id_data) {
      safe = octets(info.content);
    } else if (info.contentType === id_encryptedData) {
      const enc = AsnConvert.parse(info.content, EncryptedData).encryptedContentInfo;
      const content = enc.encryptedContent;
      const data = content?.value
        ? new Uint8Array(content.value.buffer)
        : Buffer.concat((content?.constructedValue ?? []).map((o) => new Uint8Array(o.buffer)));
      safe = decryptWithPassword(enc.contentEncryptionAlgorithm, password, data);
    } else {
      continue;
    }
    for (const bag of AsnConvert.parse(safe, SafeContents)) {
      const keyIdAttr = bag.bagAttributes?.find((a) => a.attrId === id_localKeyId)?.attrValues[0];
      const localKeyId = keyIdAttr ? Buffer.from(keyIdAttr).toString("hex") : undefined;
      if (bag.bagId === id_keyBag) {
        bags.push({ kind: "key", der: new Uint8Array(bag.bagValue), localKeyId });
      } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
        const epki = AsnConvert.parse(bag.bagValue, EncryptedPrivateKeyInfo);
        const der = decryptWithPassword(epki.encryptionAlgorithm, password, new Uint8Array(epki.encryptedData.buffer));
        bags.push({ kind: "key", der, localKeyId });
      } else if (bag.bagId === id_certBag) {
        const cert = AsnConvert.parse(bag.bagValue, CertBag);
        if (cert.certId === id_x509Certificate) bags.push({ kind: "cert", der: octets(cert.certValue), localKeyId });
      }
    }
  }
  return bags;
}

const namedCurves: Record<string, string> = { [id_secp256r1]: "P-256", [id_secp384r1]: "P-384" };

async function importPrivateKey(pkcs8: Uint8Array<ArrayBuffer>): Promise<{ key: CryptoKey; keyAlgorithm: Signer["keyAlgorithm"] }> {
  const info = AsnConvert.parse(pkcs8, PrivateKeyInfo);
  const alg = info.privateKeyAlgorithm;
  if (alg.algorithm === id_rsaEncryption) {
    const key = await crypto.subtle.importKey("pkcs8", pkcs8, rsaAlgorithm, false, ["sign"]);
    return { key, keyAlgorithm: "RSA" };
  }
  if (alg.algorithm === id_ecPublicKey) {
    const curve = alg.parameters ? AsnConvert.parse(alg.parameters, ECParameters).namedCurve : undefined;
    const namedCurve = curve && namedCurves[curve];
    if (!namedCurve) throw new SignerError("unsupported elliptic curve (P-256 and P-384 are supported)");
    const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve }, false, ["sign"]);
    return { key, keyAlgorithm: "ECDSA" };
  }
  throw new SignerError(`unsupported key type ${alg.algorithm} (RSA and ECDSA are supported)`);
}

const rsaAlgorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

/** WebCrypto parameters to sign with this signer's key (SHA-256 in both cases). */
export function signatureParams(keyAlgorithm: Signer["keyAlgorithm"]): Algorithm | EcdsaParams {
  return keyAlgorithm === "RSA" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
}

/** WebCrypto parameters to import the certificate's public key. */
function publicKeyParams(keyAlgorithm: Signer["keyAlgorithm"], key: CryptoKey): RsaHashedImportParams | EcKeyImportParams {
  return keyAlgorithm === "RSA" ? rsaAlgorithm : { name: "ECDSA", namedCurve: (key.algorithm as EcKeyAlgorithm).namedCurve };
}

async function keyMatches(cert: X509Certificate, key: CryptoKey, keyAlgorithm: Signer["keyAlgorithm"]): Promise<boolean> {
  try {
    const probe = new TextEncoder().encode("certyneo key check");
    const params = signatureParams(keyAlgorithm);
    const signature = await crypto.subtle.sign(params, key, probe);
    const publicKey = await cert.publicKey.export(publicKeyParams(keyAlgorithm, key), ["verify"], crypto);
    return await crypto.subtle.verify(params, publicKey, signature, probe);
  } catch {
    return false; // e.g. an RSA certificate with an EC key
  }
}

/** Orders the certificates from the signer up to the root, dropping unrelated ones. */
function buildChain(leaf: X509Certificate, certs: X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  while (current.subject !== current.issuer) {
    const issuer = certs.find((c) => c.subject === current.issuer && !chain.includes(c));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Loads and checks the signing key and certificate: readable, password right,
 * key matches the certificate, valid at `now`, key usage allows signing.
 */
export async function loadSigner(p12: Uint8Array, password: string, now: Date): Promise<Signer> {
  let pfx: PFX;
  try {
    pfx = AsnConvert.parse(p12, PFX);
  } catch {
    throw new SignerError("not a PKCS#12 file");
  }
  const bags = readBags(pfx, password);
  const keyBag = bags.find((b) => b.kind === "key");
  if (!keyBag) throw new SignerError("no private key in the file");
  const certs = bags.filter((b) => b.kind === "cert").map((b) => ({ bag: b, cert: new X509Certificate(b.der) }));
  if (certs.length === 0) throw new SignerError("no certificate in the file");
  const { key, keyAlgorithm } = await importPrivateKey(keyBag.der);

  // The certificate of the key: the one with the same localKeyId, else any that matches.
  const candidates = [...certs].sort((a, b) => Number(b.bag.localKeyId === keyBag.localKeyId) - Number(a.bag.localKeyId === keyBag.localKeyId));
  let certificate: X509Certificate | undefined;
  for (const { cert } of candidates) {
    if (await keyMatches(cert, key, keyAlgorithm)) {
      certificate = cert;
      break;
    }
  }
  if (!certificate) throw new SignerError("the private key does not match the certificate");
  if (now < certificate.notBefore) throw new SignerError(`the certificate is not valid before ${day(certificate.notBefore)}`);
  if (now > certificate.notAfter) throw new SignerError(`the certificate expired on ${day(certificate.notAfter)}`);
  const usage = certificate.getExtension(KeyUsagesExtension);
  if (usage && !(usage.usages & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation))) {
    throw new SignerError("the certificate's key usage does not allow signing (digitalSignature or nonRepudiation needed)");
  }
  return { certificate, chain: buildChain(certificate, certs.map((c) => c.cert)), privateKey: key, keyAlgorithm };
}

// --- writing ---------------------------------------------------------------------

function encryptPbes2(password: string, data: Uint8Array): { algorithm: AlgorithmIdentifier; encrypted: Uint8Array } {
  const salt = nodeCrypto.randomBytes(16);
  const iv = nodeCrypto.randomBytes(16);
  const iterations = 100_000;
  const key = nodeCrypto.pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const c = nodeCrypto.createCipheriv("aes-256-cbc", key, iv);
  const encrypted = Buffer.concat([c.update(data), c.final()]);
  const params = new Pbes2Params({
    keyDerivationFunc: new AlgorithmIdentifier({
      algorithm: id_PBKDF2,
      parameters: AsnConvert.serialize(
        new Pbkdf2Params({
          salt: new OctetString(salt),
          iterationCount: iterations,
          prf: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.2.9", parameters: null }),
        }),
      ),
    }),
    encryptionScheme: new AlgorithmIdentifier({ algorithm: "2.16.840.1.101.3.4.1.42", parameters: AsnConvert.serialize(new OctetString(iv)) }),
  });
  return { algorithm: new AlgorithmIdentifier({ algorithm: id_PBES2, parameters: AsnConvert.serialize(params) }), encrypted };
}

const dataInfo = (bytes: ArrayBuffer | Uint8Array) => new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(bytes)) });

/**
 * Writes a PKCS#12 file the way current OpenSSL does: key and certificates
 * encrypted with PBES2 (PBKDF2-SHA256, AES-256-CBC), HMAC-SHA256 integrity.
 */
export function buildP12(pkcs8: Uint8Array, certificates: X509Certificate[], password: string): Uint8Array {
  const keyId = nodeCrypto.createHash("sha1").update(new Uint8Array(certificates[0]!.rawData)).digest();
  // PKCS12Attribute's constructor drops its params (asn1-pfx 2.x), hence the assign.
  const keyIdAttr = Object.assign(new PKCS12Attribute(), { attrId: id_localKeyId, attrValues: [AsnConvert.serialize(new OctetString(keyId))] });
  const shrouded = encryptPbes2(password, pkcs8);
  const keyBag = new SafeBag({
    bagId: id_pkcs8ShroudedKeyBag,
    bagValue: AsnConvert.serialize(
      new EncryptedPrivateKeyInfo({ encryptionAlgorithm: shrouded.algorithm, encryptedData: new Pkcs8EncryptedData(shrouded.encrypted) }),
    ),
    bagAttributes: [keyIdAttr],
  });
  const certBags = certificates.map(
    (c, i) =>
      new SafeBag({
        bagId: id_certBag,
        bagValue: AsnConvert.serialize(new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(c.rawData)) })),
        bagAttributes: i === 0 ? [keyIdAttr] : undefined,
      }),
  );
  const certSafe = encryptPbes2(password, new Uint8Array(AsnConvert.serialize(new SafeContents(certBags))));
  const encryptedCerts = new ContentInfo({
    contentType: id_encryptedData,
    content: AsnConvert.serialize(
      new EncryptedData({
        encryptedContentInfo: new EncryptedContentInfo({
          contentType: id_data,
          contentEncryptionAlgorithm: certSafe.algorithm,
          encryptedContent: new EncryptedContent({ value: new OctetString(certSafe.encrypted) }),
        }),
      }),
    ),
  });
  const authSafe = new Uint8Array(AsnConvert.serialize(new AuthenticatedSafe([encryptedCerts, dataInfo(AsnConvert.serialize(new SafeContents([keyBag])))])));
  const macSalt = nodeCrypto.randomBytes(16);
  const iterations = 2048;
  const macKey = pkcs12Kdf("sha256", password, macSalt, 3, iterations, 32);
  const mac = nodeCrypto.createHmac("sha256", macKey).update(authSafe).digest();
  const pfx = new PFX({
    version: 3,
    authSafe: dataInfo(authSafe),
    macData: new MacData({
      mac: new DigestInfo({ digestAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha256, parameters: null }), digest: new OctetString(mac) }),
      macSalt: new OctetString(macSalt),
      iterations,
    }),
  });
  return new Uint8Array(AsnConvert.serialize(pfx));
}
