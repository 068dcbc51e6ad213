// CMS SignedData for PAdES baseline signatures (ETSI EN 319 142-1, B-B / B-T):
// detached, SHA-256, signed attributes content-type, message-digest and
// signing-certificate-v2, and no signing-time (the claimed time is the
// signature dictionary's /M). An RFC 3161 token over the signature value
// makes it B-T.
import "reflect-metadata";
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from "@peculiar/asn1-cms";
import { ObjectIdentifier } from "asn1js";
import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from "@peculiar/asn1-x509";
import { id_sha256, signatureParams, type Signer } from "./pkcs12.ts";

export const id_signingCertificateV2 = "1.2.840.113549.1.9.16.2.47";
export const id_signatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";
const id_sha256WithRSAEncryption = "1.2.840.113549.1.1.11";
const id_ecdsaWithSHA256 = "1.2.840.10045.4.3.2";

// --- RFC 5035 signing-certificate-v2 (no @peculiar schema ships it) -------------

export class IssuerSerial {
  @AsnProp({ type: GeneralNames }) issuer = new GeneralNames();
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter }) serialNumber = new ArrayBuffer(0);
  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}

export class EssCertIdV2 {
  /** DEFAULT sha256: DER leaves it out when it is SHA-256. */
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) hashAlgorithm?: AlgorithmIdentifier;
  @AsnProp({ type: OctetString }) certHash = new OctetString();
  @AsnProp({ type: IssuerSerial, optional: true }) issuerSerial?: IssuerSerial;
  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}

export class SigningCertificateV2 {
  @AsnProp({ type: EssCertIdV2, repeated: "sequence" }) certs: EssCertIdV2[] = [];
  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}

// --- DER helpers ---------------------------------------------------------------

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function tlv(tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag), derLength(body.length), body]));
}

/** DER orders SET OF elements by their encodings, compared as zero-padded octet strings (X.690 11.6). */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A non-negative big-endian integer as DER INTEGER. */
function derUnsignedInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, trimmed[0]! & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed);
}

/** WebCrypto ECDSA gives r||s; CMS wants ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return tlv(0x30, Buffer.concat([derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half))]));
}

// --- SignedData --------------------------------------------------------------------

const attribute = (type: string, value: ArrayBuffer) => new Attribute({ attrType: type, attrValues: [value] });

function signingCertificateV2(cert: Certificate, der: ArrayBuffer): ArrayBuffer {
  return AsnConvert.serialize(
    new SigningCertificateV2({
      certs: [
        new EssCertIdV2({
          certHash: new OctetString(new Bun.CryptoHasher("sha256").update(der).digest()),
          issuerSerial: new IssuerSerial({
            issuer: new GeneralNames([new GeneralName({ directoryName: cert.tbsCertificate.issuer })]),
            serialNumber: cert.tbsCertificate.serialNumber,
          }),
        }),
      ],
    }),
  );
}

/** The signed attributes, DER-sorted, and their SET OF encoding (what gets signed). */
function signedAttributes(digest: Uint8Array, cert: Certificate, certDer: ArrayBuffer) {
  const attrs = [
    attribute(id_contentType, new ObjectIdentifier({ value: id_data }).toBER()),
    attribute(id_messageDigest, AsnConvert.serialize(new OctetString(digest))),
    attribute(id_signingCertificateV2, signingCertificateV2(cert, certDer)),
  ]
    .map((a) => ({ a, der: new Uint8Array(AsnConvert.serialize(a)) }))
    .sort((x, y) => compareDer(x.der, y.der));
  return { attrs: attrs.map((x) => x.a), setDer: tlv(0x31, Buffer.concat(attrs.map((x) => x.der))) };
}

export interface SignedDataInput {
  signer: Signer;
  /** SHA-256 of the signed bytes (the PDF's ByteRange). */
  digest: Uint8Array;
  /** Returns an RFC 3161 token over the signature value (PAdES B-T). */
  timestamp?: (signatureValue: Uint8Array) => Promise<Uint8Array>;
}

/** DER ContentInfo wrapping a detached SignedData. */
export async function buildSignedData({ signer, digest, timestamp }: SignedDataInput): Promise<Uint8Array> {
  const certs = signer.chain.map((c) => AsnConvert.parse(c.rawData, Certificate));
  const leaf = certs[0]!;
  const { attrs, setDer } = signedAttributes(digest, leaf, signer.certificate.rawData);
  const raw = new Uint8Array(await crypto.subtle.sign(signatureParams(signer.keyAlgorithm), signer.privateKey, setDer));
  const signature = signer.keyAlgorithm === "ECDSA" ? ecdsaRawToDer(raw) : raw;
  const unsignedAttrs = timestamp
    ? [new Attribute({ attrType: id_signatureTimeStampToken, attrValues: [toArrayBuffer(await timestamp(signature))] })]
    : undefined;

  const signerInfo = new SignerInfo({
    version: 1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: leaf.tbsCertificate.issuer, serialNumber: leaf.tbsCertificate.serialNumber }),
    }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha256 }),
    signedAttrs: attrs,
    signatureAlgorithm:
      signer.keyAlgorithm === "RSA"
        ? new AlgorithmIdentifier({ algorithm: id_sha256WithRSAEncryption, parameters: null })
        : new AlgorithmIdentifier({ algorithm: id_ecdsaWithSHA256 }),
    signature: new OctetString(signature),
    unsignedAttrs,
  });
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new AlgorithmIdentifier({ algorithm: id_sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet(certs.map((certificate) => new CertificateChoices({ certificate }))),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
}

const toArrayBuffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
