// CMS SignedData for PAdES baseline signatures (ETSI EN 319 142-1, B-B / B-T):
// detached, the signer's digest, signed attributes content-type, message-digest and
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
import {
  AsnArray,
  AsnConvert,
  AsnIntegerArrayBufferConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from "@peculiar/asn1-x509";
import { digestAlgorithm, digestOf, ecdsaToDer, maxSignatureLength, signatureAlgorithmIdentifier } from "./algorithms.ts";
import { toArrayBuffer } from "./bytes.ts";
import type { HashName, Signer } from "./signer.ts";

export const id_signingCertificateV2 = "1.2.840.113549.1.9.16.2.47";
export const id_signatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";

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

/** The signed attributes as a DER SET OF: the bytes the signature covers (RFC 5652 5.4). */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class AttributeSet extends AsnArray<Attribute> {}

/** DER orders SET OF elements by their encodings, compared as zero-padded octet strings (X.690 11.6). */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

// --- SignedData --------------------------------------------------------------------

const attribute = (type: string, value: ArrayBuffer) => new Attribute({ attrType: type, attrValues: [value] });

function signingCertificateV2(cert: Certificate, der: ArrayBuffer, hash: HashName): ArrayBuffer {
  return AsnConvert.serialize(
    new SigningCertificateV2({
      certs: [
        new EssCertIdV2({
          hashAlgorithm: hash === "SHA-256" ? undefined : digestAlgorithm(hash),
          certHash: new OctetString(digestOf(hash, new Uint8Array(der))),
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
function signedAttributes(digest: Uint8Array, cert: Certificate, certDer: ArrayBuffer, hash: HashName) {
  const attrs = [
    attribute(id_contentType, new ObjectIdentifier({ value: id_data }).toBER()),
    attribute(id_messageDigest, AsnConvert.serialize(new OctetString(digest))),
    attribute(id_signingCertificateV2, signingCertificateV2(cert, certDer, hash)),
  ]
    .map((a) => ({ a, der: new Uint8Array(AsnConvert.serialize(a)) }))
    .sort((x, y) => compareDer(x.der, y.der))
    .map((x) => x.a);
  return { attrs, setDer: new Uint8Array(AsnConvert.serialize(new AttributeSet(attrs))) };
}

export interface SignedDataInput {
  signer: Signer;
  /** Digest, with the signer's hash, of the signed bytes (the PDF's ByteRange). */
  digest: Uint8Array;
  /** Returns an RFC 3161 token over the signature value (PAdES B-T). */
  timestamp?: (signatureValue: Uint8Array) => Promise<Uint8Array>;
}

/** DER ContentInfo wrapping a detached SignedData. */
export async function buildSignedData({ signer, digest, timestamp }: SignedDataInput): Promise<Uint8Array> {
  const { algorithm } = signer;
  const certs = signer.certificateChain.map((c) => AsnConvert.parse(c.rawData, Certificate));
  const leaf = certs[0]!;
  const { attrs, setDer } = signedAttributes(digest, leaf, signer.certificateChain[0]!.rawData, algorithm.hash);
  const raw = await signer.sign(setDer);
  const signature = algorithm.name === "ECDSA" ? ecdsaToDer(raw) : raw;
  const unsignedAttrs = timestamp
    ? [new Attribute({ attrType: id_signatureTimeStampToken, attrValues: [toArrayBuffer(await timestamp(signature))] })]
    : undefined;

  const signerInfo = new SignerInfo({
    version: 1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: leaf.tbsCertificate.issuer, serialNumber: leaf.tbsCertificate.serialNumber }),
    }),
    digestAlgorithm: digestAlgorithm(algorithm.hash),
    signedAttrs: attrs,
    signatureAlgorithm: signatureAlgorithmIdentifier(algorithm),
    signature: new OctetString(signature),
    unsignedAttrs,
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

/**
 * The signer as a dry run sees it: same chain and algorithm, and a signature of the
 * longest length `sign` can return, so the CMS built with it is as long as the real one can be.
 */
export function dryRunSigner(signer: Signer): Signer {
  const length = maxSignatureLength(signer.algorithm, signer.certificateChain[0]!);
  return { ...signer, sign: async () => new Uint8Array(length).fill(0xff) };
}
