// The CMS is framed by hand around what the ASN.1 schemas encode (src/pdf/cms.ts: encoding it
// all through the schemas parsed and re-encoded the certificates several times per seal). Here
// the schemas encode the whole structure the old way, as the reference: the bytes must be the same.
import "reflect-metadata";
import { describe, expect, test } from "bun:test";
import {
  Attribute, CertificateChoices, CertificateSet, ContentInfo, DigestAlgorithmIdentifiers, EncapsulatedContentInfo,
  id_contentType, id_data, id_messageDigest, id_signedData, IssuerAndSerialNumber, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
} from "@peculiar/asn1-cms";
import { ECDSASigValue } from "@peculiar/asn1-ecc";
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { Certificate, GeneralName, GeneralNames } from "@peculiar/asn1-x509";
import { ObjectIdentifier } from "asn1js";
import { digestAlgorithm, digestOf, ecdsaFromDer, ecdsaToDer, signatureAlgorithmIdentifier } from "../../src/pdf/algorithms.ts";
import { toArrayBuffer } from "../../src/pdf/bytes.ts";
import { buildSignedData, dryRunSigner, EssCertIdV2, id_signatureTimeStampToken, id_signingCertificateV2, IssuerSerial, SigningCertificateV2 } from "../../src/pdf/cms.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import type { Signer } from "../../src/pdf/signer.ts";
import { opensslP12, tempDir } from "./helpers-seal.ts";

@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class AttributeSet extends AsnArray<Attribute> {}

const compareDer = (a: Uint8Array, b: Uint8Array) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
};

/** Everything encoded by the schemas, attributes sorted as DER wants. */
async function reference(signer: Signer, digest: Uint8Array, token?: Uint8Array): Promise<Uint8Array> {
  const { algorithm } = signer;
  const certs = signer.certificateChain.map((c) => AsnConvert.parse(c.rawData, Certificate));
  const leaf = certs[0]!;
  const signingCertificate = AsnConvert.serialize(new SigningCertificateV2({ certs: [new EssCertIdV2({
    hashAlgorithm: algorithm.hash === "SHA-256" ? undefined : digestAlgorithm(algorithm.hash),
    certHash: new OctetString(digestOf(algorithm.hash, new Uint8Array(signer.certificateChain[0]!.rawData))),
    issuerSerial: new IssuerSerial({ issuer: new GeneralNames([new GeneralName({ directoryName: leaf.tbsCertificate.issuer })]), serialNumber: leaf.tbsCertificate.serialNumber }),
  })] }));
  const attrs = [
    new Attribute({ attrType: id_contentType, attrValues: [new ObjectIdentifier({ value: id_data }).toBER()] }),
    new Attribute({ attrType: id_messageDigest, attrValues: [AsnConvert.serialize(new OctetString(digest))] }),
    new Attribute({ attrType: id_signingCertificateV2, attrValues: [signingCertificate] }),
  ].sort((x, y) => compareDer(new Uint8Array(AsnConvert.serialize(x)), new Uint8Array(AsnConvert.serialize(y))));
  const raw = await signer.sign(new Uint8Array(AsnConvert.serialize(new AttributeSet(attrs))));
  const signerInfo = new SignerInfo({
    version: 1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: leaf.tbsCertificate.issuer, serialNumber: leaf.tbsCertificate.serialNumber }) }),
    digestAlgorithm: digestAlgorithm(algorithm.hash),
    signedAttrs: attrs,
    signatureAlgorithm: signatureAlgorithmIdentifier(algorithm),
    signature: new OctetString(algorithm.name === "ECDSA" ? ecdsaToDer(raw) : raw),
    unsignedAttrs: token ? [new Attribute({ attrType: id_signatureTimeStampToken, attrValues: [toArrayBuffer(token)] })] : undefined,
  });
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlgorithm(algorithm.hash)]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet(certs.map((certificate) => new CertificateChoices({ certificate }))),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
}

describe("the CMS SignedData", () => {
  const dir = tempDir("certyneo-cms-");
  // openssl dates its certificates from the current second: check them a moment later.
  const soon = () => new Date(Date.now() + 2000);

  for (const key of ["p256", "p384", "rsa"] as const) {
    test(`${key}: the same bytes as the schemas encode, with and without a time-stamp token, for a chain of two`, async () => {
      const signer = await loadSigner(opensslP12(dir, { key, password: "pw" }), "pw", soon());
      const other = await loadSigner(opensslP12(dir, { key: "p256", password: "pw", cn: "An issuer" }), "pw", soon());
      // A fixed signature (the dry run's), so both encodings sign alike.
      const fixed = dryRunSigner({ ...signer, certificateChain: [signer.certificateChain[0]!, other.certificateChain[0]!] });
      const digest = digestOf(signer.algorithm.hash, new TextEncoder().encode(`content ${key}`));
      // Any DER serves as the token's bytes here: a certificate, long enough for multi-byte lengths.
      const token = new Uint8Array(other.certificateChain[0]!.rawData);
      expect(await buildSignedData({ signer: fixed, digest })).toEqual(await reference(fixed, digest));
      expect(await buildSignedData({ signer: fixed, digest, timestamp: async () => token })).toEqual(await reference(fixed, digest, token));
    });
  }

  test("an ECDSA signature value is the DER the ECDSASigValue schema encodes, and reads back", () => {
    const schema = (raw: Uint8Array) => {
      const integer = (b: Uint8Array) => {
        let i = 0;
        while (i < b.length - 1 && b[i] === 0) i++;
        return toArrayBuffer(b[i]! & 0x80 ? Uint8Array.of(0, ...b.subarray(i)) : b.subarray(i));
      };
      return new Uint8Array(AsnConvert.serialize(new ECDSASigValue({ r: integer(raw.subarray(0, raw.length / 2)), s: integer(raw.subarray(raw.length / 2)) })));
    };
    // Leading zeros, high bits set, a zero half, and P-521's 66-byte halves (a long form length).
    const halves = (size: number) => [new Uint8Array(size).fill(0x7f), new Uint8Array(size).fill(0xff), new Uint8Array(size), Uint8Array.from({ length: size }, (_, i) => (i < 3 ? 0 : (i * 37) & 255))];
    for (const size of [32, 48, 66]) {
      for (const r of halves(size)) for (const s of halves(size)) {
        const raw = new Uint8Array([...r, ...s]);
        expect(ecdsaToDer(raw)).toEqual(schema(raw));
        expect(ecdsaFromDer(ecdsaToDer(raw), size)).toEqual(raw);
      }
    }
  });
});
