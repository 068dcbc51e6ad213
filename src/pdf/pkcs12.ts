// Loading the signer's PKCS#12 file into a Signer.
//
// WebCrypto knows neither the PKCS#12 key derivation (RFC 7292 appendix B) nor
// the legacy 3DES/RC2 ciphers that older OpenSSL and Windows exports still use,
// so the container is decrypted here with node:crypto; the key itself is then
// imported into Bun's WebCrypto, which does the signing.
import "reflect-metadata";
import nodeCrypto from "node:crypto";
import { id_data } from "@peculiar/asn1-cms";
import { ECParameters, id_ecPublicKey, id_secp256r1, id_secp384r1 } from "@peculiar/asn1-ecc";
import { AuthenticatedSafe, CertBag, id_certBag, id_keyBag, id_pkcs8ShroudedKeyBag, id_x509Certificate, MacData, PFX, SafeContents } from "@peculiar/asn1-pfx";
import { EncryptedPrivateKeyInfo, PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { id_rsaEncryption } from "@peculiar/asn1-rsa";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { X509Certificate } from "@peculiar/x509";
import { digestOfOid, nodeHashName } from "./algorithms.ts";
import {
  EncryptedData,
  id_encryptedData,
  id_hmacWithSHA1,
  id_localKeyId,
  id_PBES2,
  id_PBKDF2,
  Pbes2Params,
  Pbkdf2Params,
  Pkcs12PbeParams,
  pkcs12Kdf,
} from "./pkcs12-format.ts";
import { buildChain, checkSigningCertificate } from "./signing-certificate.ts";
import { SignerError } from "../errors";
import { cryptoKeySigner, signerMatchesCertificate, type SignatureAlgorithm, type Signer } from "./signer.ts";

// --- algorithms ----------------------------------------------------------------


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
  const digest = digestOfOid(mac.mac.digestAlgorithm.algorithm);
  const hash = digest && nodeHashName(digest);
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

const namedCurves: Record<string, "P-256" | "P-384"> = { [id_secp256r1]: "P-256", [id_secp384r1]: "P-384" };

export interface Pkcs12Options {
  /** Sign with RSASSA-PSS rather than PKCS#1 v1.5 (RSA keys only). */
  rsaPss?: boolean;
}

/** The key as WebCrypto imports it, and the algorithm it will sign with (SHA-256 throughout). */
async function importPrivateKey(pkcs8: Uint8Array<ArrayBuffer>, opts: Pkcs12Options): Promise<{ key: CryptoKey; algorithm: SignatureAlgorithm }> {
  const info = AsnConvert.parse(pkcs8, PrivateKeyInfo);
  const alg = info.privateKeyAlgorithm;
  if (alg.algorithm === id_rsaEncryption) {
    const algorithm: SignatureAlgorithm = opts.rsaPss
      ? { name: "RSA-PSS", hash: "SHA-256", saltLength: 32 }
      : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { key: await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]), algorithm };
  }
  if (alg.algorithm === id_ecPublicKey) {
    const curve = alg.parameters ? AsnConvert.parse(alg.parameters, ECParameters).namedCurve : undefined;
    const namedCurve = curve ? namedCurves[curve] : undefined;
    if (!namedCurve) throw new SignerError("unsupported elliptic curve (P-256 and P-384 are supported)");
    const algorithm: SignatureAlgorithm = { name: "ECDSA", namedCurve, hash: "SHA-256" };
    return { key: await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]), algorithm };
  }
  throw new SignerError(`unsupported key type ${alg.algorithm} (RSA and ECDSA are supported)`);
}

/**
 * Loads and checks the signing key and certificate: readable, password right,
 * key matches the certificate, valid at `now`, key usage allows signing.
 */
export async function loadSigner(p12: Uint8Array, password: string, now: Date, opts: Pkcs12Options = {}): Promise<Signer> {
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
  const { key, algorithm } = await importPrivateKey(keyBag.der, opts);

  // The certificate of the key: the one with the same localKeyId, else any that matches.
  const candidates = [...certs].sort((a, b) => Number(b.bag.localKeyId === keyBag.localKeyId) - Number(a.bag.localKeyId === keyBag.localKeyId));
  let signer: Signer | undefined;
  for (const { cert } of candidates) {
    const candidate = cryptoKeySigner(key, buildChain(cert, certs.map((c) => c.cert)), algorithm);
    if (await signerMatchesCertificate(candidate)) {
      signer = candidate;
      break;
    }
  }
  if (!signer) throw new SignerError("the private key does not match the certificate");
  checkSigningCertificate(signer.certificateChain[0]!, now);
  return signer;
}
