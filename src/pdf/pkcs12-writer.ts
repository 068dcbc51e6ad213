// Writing a PKCS#12 file: only the development certificate needs it (devcert.ts).
import "reflect-metadata";
import nodeCrypto from "node:crypto";
import { ContentInfo, EncryptedContent, EncryptedContentInfo, id_data } from "@peculiar/asn1-cms";
import { AuthenticatedSafe, CertBag, id_certBag, id_pkcs8ShroudedKeyBag, id_x509Certificate, MacData, PFX, PKCS12Attribute, SafeBag, SafeContents } from "@peculiar/asn1-pfx";
import { EncryptedData as Pkcs8EncryptedData, EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import type { X509Certificate } from "@peculiar/x509";
import { digestAlgorithm } from "./algorithms.ts";
import { EncryptedData, id_encryptedData, id_localKeyId, id_PBES2, id_PBKDF2, Pbes2Params, Pbkdf2Params, pkcs12Kdf } from "./pkcs12-format.ts";

function encryptPbes2(password: string, data: Uint8Array): { algorithm: AlgorithmIdentifier; encrypted: Uint8Array } {
  const salt = nodeCrypto.randomBytes(16);
  const iv = nodeCrypto.randomBytes(16);
  // OpenSSL's default count. Stretching guards a password a person chose; the one file written
  // here (the development certificate) has a 256-bit random password, and every start pays
  // the count again when it opens the key (100,000 was a fifth of a start's CPU).
  const iterations = 2048;
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
      mac: new DigestInfo({ digestAlgorithm: digestAlgorithm("SHA-256"), digest: new OctetString(mac) }),
      macSalt: new OctetString(macSalt),
      iterations,
    }),
  });
  return new Uint8Array(AsnConvert.serialize(pfx));
}
