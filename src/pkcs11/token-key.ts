// A private key inside a PKCS#11 token, found by its label and used in place: the digest
// goes into the token, the signature value comes out, the key never does.
import "reflect-metadata";
import { existsSync } from "node:fs";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { X509Certificate } from "@peculiar/x509";
import { digestAlgorithm as digestAlgorithmOf } from "../pdf/algorithms";
import { sameBytes } from "../pdf/bytes";
import { SignerError } from "../errors";
import type { HashName, SignatureAlgorithm } from "../pdf/signer";
import { CKA, CKG, CKK, CKM, CKO, CKR, loadCryptoki, Pkcs11Error, ulongAttribute, type Cryptoki, type Mechanism } from "./cryptoki";

export interface TokenKeyOptions {
  /** Path of the PKCS#11 library. */
  module: string;
  tokenLabel: string;
  pin: string;
  keyLabel: string;
}

export interface TokenKey {
  keyType: "RSA" | "EC";
  /** Certificates stored on the token: the key's own (same CKA_ID) first, then the others (issuers, perhaps). */
  certificates(): X509Certificate[];
  /**
   * Signs a digest inside the token as `algorithm` says. RSA gives the PKCS#1 signature
   * value, ECDSA the raw r||s the token returns.
   */
  signDigest(digest: Uint8Array, algorithm: SignatureAlgorithm): Uint8Array;
}

/** CK_RSA_PKCS_PSS_PARAMS hash and mask generation for each digest. */
const PSS: Record<HashName, { hash: number; mgf: number }> = {
  "SHA-256": { hash: CKM.SHA256, mgf: CKG.MGF1_SHA256 },
  "SHA-384": { hash: CKM.SHA384, mgf: CKG.MGF1_SHA384 },
  "SHA-512": { hash: CKM.SHA512, mgf: CKG.MGF1_SHA512 },
};

/** The session errors after which a new session (and login) is worth one retry: a token re-plugged, a network HSM reconnected. */
const SESSION_LOST = new Set<number>([
  CKR.SESSION_HANDLE_INVALID,
  CKR.SESSION_CLOSED,
  CKR.USER_NOT_LOGGED_IN,
  CKR.DEVICE_REMOVED,
  CKR.TOKEN_NOT_PRESENT,
]);

const quote = (s: string) => JSON.stringify(s);

/**
 * The mechanism and input for a digest. Hashing happens here and the token gets the raw
 * mechanisms (CKM_RSA_PKCS over a DigestInfo, CKM_RSA_PKCS_PSS, CKM_ECDSA): the ones
 * smart cards and HSMs all implement, unlike the hash-and-sign combinations.
 */
function mechanismFor(algorithm: SignatureAlgorithm, digest: Uint8Array): { mechanism: Mechanism; data: Uint8Array } {
  switch (algorithm.name) {
    case "ECDSA":
      return { mechanism: { type: CKM.ECDSA }, data: digest };
    case "RSA-PSS":
      return { mechanism: { type: CKM.RSA_PKCS_PSS, pss: { ...PSS[algorithm.hash], saltLength: algorithm.saltLength } }, data: digest };
    case "RSASSA-PKCS1-v1_5": {
      // RFC 8017 9.2: the DigestInfo's hash AlgorithmIdentifier carries NULL parameters.
      const digestAlgorithm = new AlgorithmIdentifier({ algorithm: digestAlgorithmOf(algorithm.hash).algorithm, parameters: null });
      return { mechanism: { type: CKM.RSA_PKCS }, data: new Uint8Array(AsnConvert.serialize(new DigestInfo({ digestAlgorithm, digest: new OctetString(digest) }))) };
    }
  }
}

interface Session {
  handle: number;
  key: number;
  alwaysAuthenticate: boolean;
}

/** Opens a session on the labelled token, logs in and finds the labelled private key. */
function openSession(cryptoki: Cryptoki, opts: TokenKeyOptions): Session {
  const tokens = cryptoki.tokens();
  const token = tokens.find((t) => t.label === opts.tokenLabel);
  if (!token) {
    const present = tokens.filter((t) => t.initialized).map((t) => quote(t.label));
    throw new SignerError(`PKCS#11 token ${quote(opts.tokenLabel)} not found (tokens present: ${present.join(", ") || "none"}) (CERTYNEO_SEAL_PKCS11_TOKEN_LABEL)`);
  }
  const name = `PKCS#11 token ${quote(opts.tokenLabel)}`;
  if (token.pinLocked) throw new SignerError(`${name}: the user PIN is locked (too many wrong tries); unlock it with the SO PIN`);
  // A service restarted in a loop with a wrong PIN must not be what locks the token.
  if (token.pinFinalTry) throw new SignerError(`${name}: one wrong PIN would lock it, so Certyneo does not try; check CERTYNEO_SEAL_PKCS11_PIN and log in once with the vendor's tool`);
  const handle = cryptoki.openSession(token.slot);
  try {
    try {
      cryptoki.login(handle, opts.pin);
    } catch (e) {
      const rv = e instanceof Pkcs11Error ? e.rv : -1;
      if (rv === CKR.PIN_INCORRECT || rv === CKR.PIN_INVALID || rv === CKR.PIN_LEN_RANGE) {
        throw new SignerError(`${name}: wrong PIN (CERTYNEO_SEAL_PKCS11_PIN)`);
      }
      if (rv === CKR.PIN_LOCKED) throw new SignerError(`${name}: the user PIN is locked (too many wrong tries); unlock it with the SO PIN`);
      if (rv === CKR.PIN_EXPIRED) throw new SignerError(`${name}: the PIN has expired; set a new one`);
      throw e;
    }
    const keys = cryptoki.findObjects(handle, [
      [CKA.CLASS, CKO.PRIVATE_KEY],
      [CKA.LABEL, new TextEncoder().encode(opts.keyLabel)],
    ]);
    if (keys.length === 0) throw new SignerError(`${name}: no private key labelled ${quote(opts.keyLabel)} (CERTYNEO_SEAL_PKCS11_KEY_LABEL)`);
    if (keys.length > 1) throw new SignerError(`${name}: ${keys.length} private keys are labelled ${quote(opts.keyLabel)}; give the sealing key a label of its own`);
    const key = keys[0]!;
    const alwaysAuthenticate = cryptoki.attribute(handle, key, CKA.ALWAYS_AUTHENTICATE)?.[0] === 1;
    return { handle, key, alwaysAuthenticate };
  } catch (e) {
    cryptoki.closeSession(handle);
    throw e;
  }
}

/**
 * Opens the key: library loaded, token found, PIN accepted, one private key with the label,
 * RSA or EC. Throws SignerError with one line naming the setting to fix.
 */
export function openTokenKey(opts: TokenKeyOptions): TokenKey {
  if (!existsSync(opts.module)) throw new SignerError(`PKCS#11 module ${opts.module}: file not found (CERTYNEO_SEAL_PKCS11_MODULE)`);
  let cryptoki: Cryptoki;
  try {
    cryptoki = loadCryptoki(opts.module);
  } catch (e) {
    throw new SignerError(`PKCS#11 module ${opts.module}: cannot be loaded (${(e as Error).message.split("\n")[0]}) (CERTYNEO_SEAL_PKCS11_MODULE)`);
  }
  let session = openSession(cryptoki, opts);
  const keyType = ulongAttribute(cryptoki.attribute(session.handle, session.key, CKA.KEY_TYPE));
  if (keyType !== CKK.RSA && keyType !== CKK.EC) {
    throw new SignerError(`PKCS#11 key ${quote(opts.keyLabel)}: unsupported key type (RSA and EC keys are supported)`);
  }
  const keyId = cryptoki.attribute(session.handle, session.key, CKA.ID) ?? new Uint8Array(0);

  const withSession = <T>(work: (s: Session) => T): T => {
    try {
      return work(session);
    } catch (e) {
      if (!(e instanceof Pkcs11Error && SESSION_LOST.has(e.rv))) throw e;
      cryptoki.closeSession(session.handle);
      session = openSession(cryptoki, opts);
      return work(session);
    }
  };

  return {
    keyType: keyType === CKK.RSA ? "RSA" : "EC",
    certificates: () =>
      withSession((s) => {
        const found = cryptoki.findObjects(s.handle, [[CKA.CLASS, CKO.CERTIFICATE]]).flatMap((object) => {
          const der = cryptoki.attribute(s.handle, object, CKA.VALUE);
          const id = cryptoki.attribute(s.handle, object, CKA.ID);
          return der ? [{ certificate: new X509Certificate(der), own: id !== undefined && keyId.length > 0 && sameBytes(id, keyId) }] : [];
        });
        return [...found.filter((c) => c.own), ...found.filter((c) => !c.own)].map((c) => c.certificate);
      }),
    signDigest(digest, algorithm) {
      const { mechanism, data } = mechanismFor(algorithm, digest);
      try {
        return withSession((s) => cryptoki.sign(s.handle, s.key, mechanism, data, s.alwaysAuthenticate ? opts.pin : undefined));
      } catch (e) {
        if (e instanceof Pkcs11Error) throw new SignerError(`PKCS#11 token ${quote(opts.tokenLabel)}: signing with the key ${quote(opts.keyLabel)} failed (${e.message})`);
        throw e;
      }
    },
  };
}
