// CMS SignedData for PAdES baseline signatures (ETSI EN 319 142-1, B-B / B-T):
// detached, the signer's digest, signed attributes content-type, message-digest and
// signing-certificate-v2, and no signing-time (the claimed time is the
// signature dictionary's /M). An RFC 3161 token over the signature value
// makes it B-T.
import "reflect-metadata";
import { id_contentType, id_data, id_messageDigest, id_signedData, IssuerAndSerialNumber } from "@peculiar/asn1-cms";
import { Integer, ObjectIdentifier } from "asn1js";
import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from "@peculiar/asn1-x509";
import { digestAlgorithm, digestOf, ecdsaToDer, maxSignatureLength, signatureAlgorithmIdentifier } from "./algorithms.ts";
import type { X509Certificate } from "@peculiar/x509";
import { compareDer, derFrame, TAG } from "./der.ts";
import type { HashName, SignatureAlgorithm, Signer } from "./signer.ts";

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

// --- DER pieces ----------------------------------------------------------------------

// The CMS is framed here (der.ts) around what the ASN.1 schemas encode: given to them as open
// types, the signed attributes, the SignedData and the certificates were parsed back and encoded
// again, several times per seal. What every seal repeats (object identifiers, algorithm
// identifiers, the certificate's parts) is encoded once.

const der = (value: ArrayBuffer) => new Uint8Array(value);
const oid = (value: string) => der(new ObjectIdentifier({ value }).toBER());
const OID_DATA = oid(id_data);
const OID_SIGNED_DATA = oid(id_signedData);
const OID_CONTENT_TYPE = oid(id_contentType);
const OID_MESSAGE_DIGEST = oid(id_messageDigest);
const OID_SIGNATURE_TIME_STAMP_TOKEN = oid(id_signatureTimeStampToken);
const OID_SIGNING_CERTIFICATE_V2 = oid(id_signingCertificateV2);
const VERSION_1 = der(new Integer({ value: 1 }).toBER());
const octetString = (bytes: Uint8Array) => derFrame(TAG.OCTET_STRING, [bytes]);

/** Attribute ::= SEQUENCE { attrType, attrValues SET OF } with one value (RFC 5652 5.3). */
const attribute = (type: Uint8Array, value: Uint8Array) => derFrame(TAG.SEQUENCE, [type, derFrame(TAG.SET, [value])]);
const CONTENT_TYPE_DATA = attribute(OID_CONTENT_TYPE, OID_DATA);

const digestAlgorithms = new Map<HashName, Uint8Array>();
const digestAlgorithmDer = (hash: HashName) =>
  digestAlgorithms.get(hash) ?? digestAlgorithms.set(hash, der(AsnConvert.serialize(digestAlgorithm(hash)))).get(hash)!;
/** Per signer's algorithm (one object per key). */
const signatureAlgorithms = new WeakMap<SignatureAlgorithm, Uint8Array>();
const signatureAlgorithmDer = (alg: SignatureAlgorithm) =>
  signatureAlgorithms.get(alg) ?? signatureAlgorithms.set(alg, der(AsnConvert.serialize(signatureAlgorithmIdentifier(alg)))).get(alg)!;

// --- SignedData --------------------------------------------------------------------

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

/** What every seal with a key repeats, encoded once per certificate (and hash): parsing and encoding certificates costs far more than the signature. */
interface Encoded {
  /** IssuerAndSerialNumber, the signer's identifier. */
  sid: Uint8Array;
  /** The signing-certificate-v2 attribute, per hash. */
  signingCertificate: Map<HashName, Uint8Array>;
  parsed: Certificate;
}
const encodedCertificates = new WeakMap<X509Certificate, Encoded>();

function encoded(cert: X509Certificate, hash: HashName): { sid: Uint8Array; signingCertificate: Uint8Array } {
  let e = encodedCertificates.get(cert);
  if (!e) {
    const parsed = AsnConvert.parse(cert.rawData, Certificate);
    const sid = der(AsnConvert.serialize(new IssuerAndSerialNumber({ issuer: parsed.tbsCertificate.issuer, serialNumber: parsed.tbsCertificate.serialNumber })));
    encodedCertificates.set(cert, (e = { sid, signingCertificate: new Map(), parsed }));
  }
  let signingCertificate = e.signingCertificate.get(hash);
  if (!signingCertificate) e.signingCertificate.set(hash, (signingCertificate = attribute(OID_SIGNING_CERTIFICATE_V2, der(signingCertificateV2(e.parsed, cert.rawData, hash)))));
  return { sid: e.sid, signingCertificate };
}

/** The signed attributes content-type, message-digest, signing-certificate-v2, in DER order. */
const signedAttributes = (digest: Uint8Array, signingCertificate: Uint8Array) =>
  [
    CONTENT_TYPE_DATA,
    attribute(OID_MESSAGE_DIGEST, octetString(digest)),
    signingCertificate,
  ].sort(compareDer);

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
  const certificate = signer.certificateChain[0]!;
  const { sid, signingCertificate } = encoded(certificate, algorithm.hash);
  const attrs = signedAttributes(digest, signingCertificate);
  // The signature covers the attributes as a SET OF (RFC 5652 5.4); the SignerInfo holds them as [0] IMPLICIT.
  const raw = await signer.sign(derFrame(TAG.SET, attrs));
  const signature = algorithm.name === "ECDSA" ? ecdsaToDer(raw) : raw;
  const token = timestamp && (await timestamp(signature));
  const digestAlgorithmId = digestAlgorithmDer(algorithm.hash);
  // SignerInfo (RFC 5652 5.3): version 1 with issuerAndSerialNumber, then the unsigned time-stamp token ([1] IMPLICIT) for B-T.
  const signerInfo = derFrame(TAG.SEQUENCE, [
    VERSION_1,
    sid,
    digestAlgorithmId,
    derFrame(0xa0, attrs),
    signatureAlgorithmDer(algorithm),
    octetString(signature),
    ...(token ? [derFrame(0xa1, [attribute(OID_SIGNATURE_TIME_STAMP_TOKEN, token)])] : []),
  ]);
  // SignedData (RFC 5652 5.1): version 1, the digest algorithm, detached id-data content, the
  // certificates as the key's chain holds them ([0] IMPLICIT CertificateSet), the signer.
  const signedData = derFrame(TAG.SEQUENCE, [
    VERSION_1,
    derFrame(TAG.SET, [digestAlgorithmId]),
    derFrame(TAG.SEQUENCE, [OID_DATA]),
    derFrame(0xa0, signer.certificateChain.map((c) => der(c.rawData))),
    derFrame(TAG.SET, [signerInfo]),
  ]);
  // ContentInfo: the content type, then the content as [0] EXPLICIT.
  return derFrame(TAG.SEQUENCE, [OID_SIGNED_DATA, derFrame(0xa0, [signedData])]);
}

/**
 * The signer as a dry run sees it: same chain and algorithm, and a signature of the
 * longest length `sign` can return, so the CMS built with it is as long as the real one can be.
 */
export function dryRunSigner(signer: Signer): Signer {
  const length = maxSignatureLength(signer.algorithm, signer.certificateChain[0]!);
  return { ...signer, sign: async () => new Uint8Array(length).fill(0xff) };
}
