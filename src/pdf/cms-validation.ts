// CMS-level validation (RFC 5652, RFC 3161), knowing nothing of PDF: does the
// SignedData's signature verify over its signed attributes, does the message
// digest match the content, what certificates and time-stamp does it carry.
import "reflect-metadata";
import { ContentInfo, id_messageDigest, id_signingTime, SignedData, SigningTime, type SignerInfo } from "@peculiar/asn1-cms";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { fromBER } from "asn1js";
import { SubjectKeyIdentifierExtension, X509Certificate } from "@peculiar/x509";
import { digestOf, digestOfOid, signatureVerifies, type DigestName } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";
import { id_signatureTimeStampToken } from "./cms.ts";
import { readTstInfo } from "./tsa.ts";

export interface SignedDataCheck {
  /** The certificate the SignerInfo names, if the CMS carries it. */
  signer?: X509Certificate;
  /** Every certificate the CMS carries. */
  certificates: X509Certificate[];
  /** The message digest matches the content and the signature verifies with the signer's key. */
  intact: boolean;
  digest?: DigestName;
  /** The signing-time signed attribute, if any. */
  signingTime: Date | null;
  /** The signature value (what a signature time-stamp covers). */
  signatureValue?: Uint8Array;
  /** The RFC 3161 token of the signature-time-stamp unsigned attribute (PAdES B-T). */
  signatureTimestamp?: Uint8Array;
  /** The encapsulated content, when the SignedData is not detached (time-stamp tokens, adbe.pkcs7.sha1). */
  encapsulated?: Uint8Array;
}

/** What a detached SignedData signs: its digest under a given hash. */
export type DetachedContent = (hash: DigestName) => Uint8Array;

/**
 * The signed attributes exactly as encoded in the CMS (first SignerInfo's [0]): asn1-schema
 * does not keep the raw bytes of a field inside a repeated item, so asn1js walks there.
 */
function rawSignedAttributes(cms: Uint8Array): Uint8Array | undefined {
  const { result } = fromBER(cms);
  const children = (block: unknown) => ((block as { valueBlock?: { value?: unknown[] } })?.valueBlock?.value ?? []) as {
    idBlock: { tagClass: number; tagNumber: number };
    valueBeforeDecodeView: Uint8Array;
  }[];
  const signedData = children(children(result)[1])[0];
  const signerInfo = children(children(signedData).at(-1))[0];
  const attrs = children(signerInfo).find((c) => c.idBlock.tagClass === 3 && c.idBlock.tagNumber === 0);
  return attrs ? new Uint8Array(attrs.valueBeforeDecodeView) : undefined;
}

function signerCertificate(certificates: X509Certificate[], signerInfo: SignerInfo): X509Certificate | undefined {
  const { issuerAndSerialNumber: ias, subjectKeyIdentifier: ski } = signerInfo.sid;
  return certificates.find((cert) => {
    if (ias) return sameBytes(cert.issuerName.toArrayBuffer(), AsnConvert.serialize(ias.issuer)) && BigInt(`0x${cert.serialNumber}`) === BigInt(`0x0${Buffer.from(ias.serialNumber).toString("hex")}`);
    return ski !== undefined && cert.getExtension(SubjectKeyIdentifierExtension)?.keyId === Buffer.from(ski.buffer).toString("hex");
  });
}

/** Checks the first SignerInfo of a DER ContentInfo(SignedData); `detached` gives the content digest when nothing is encapsulated. */
export async function checkSignedData(cms: Uint8Array, detached?: DetachedContent): Promise<SignedDataCheck> {
  const signedData = AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
  const certificates = (signedData.certificates ?? []).flatMap((c) => (c.certificate ? [new X509Certificate(AsnConvert.serialize(c.certificate))] : []));
  const eContent = signedData.encapContentInfo.eContent;
  const encapsulated = eContent?.single ? new Uint8Array(eContent.single.buffer) : eContent?.any ? new Uint8Array(eContent.any) : undefined;
  const signerInfo = signedData.signerInfos[0];
  const result: SignedDataCheck = { certificates, intact: false, signingTime: null, encapsulated };
  if (!signerInfo) return result;
  const signer = signerCertificate(certificates, signerInfo);
  const digest = digestOfOid(signerInfo.digestAlgorithm.algorithm);
  const attr = (type: string) => signerInfo.signedAttrs?.find((a) => a.attrType === type)?.attrValues[0];
  const signingTimeValue = attr(id_signingTime);
  const signatureValue = new Uint8Array(signerInfo.signature.buffer);
  const token = signerInfo.unsignedAttrs?.find((a) => a.attrType === id_signatureTimeStampToken)?.attrValues[0];
  Object.assign(result, {
    signer,
    digest,
    signatureValue,
    signingTime: signingTimeValue ? AsnConvert.parse(signingTimeValue, SigningTime).getTime() : null,
    signatureTimestamp: token ? new Uint8Array(token) : undefined,
  });
  if (!signer || !digest) return result;
  const contentDigest = encapsulated ? digestOf(digest, encapsulated) : detached?.(digest);
  if (!contentDigest) return result;

  let signedBytes: Uint8Array;
  if (signerInfo.signedAttrs) {
    const md = attr(id_messageDigest);
    const raw = rawSignedAttributes(cms);
    if (!md || !sameBytes(AsnConvert.parse(md, OctetString).buffer, contentDigest) || !raw) return result;
    // The signature covers the attributes' own DER with a SET OF tag, not the [0] that carries them.
    signedBytes = new Uint8Array(raw);
    signedBytes[0] = 0x31;
  } else if (encapsulated) {
    signedBytes = encapsulated;
  } else {
    return result; // a detached signature without signed attributes would sign bytes we do not hold here
  }
  result.intact = await signatureVerifies(signer, signerInfo.signatureAlgorithm, signatureValue, signedBytes, digest);
  return result;
}

export interface TimestampCheck extends SignedDataCheck {
  /** genTime of the TSTInfo. */
  time?: Date;
  /** The token's message imprint is the digest of what it claims to stamp. */
  imprintMatches: boolean;
}

/** Checks an RFC 3161 token: its own signature, and that it stamps `stamped` (the digest of the stamped data under a hash). */
export async function checkTimestampToken(token: Uint8Array, stamped: DetachedContent): Promise<TimestampCheck> {
  const check = await checkSignedData(token);
  try {
    const info = readTstInfo(token);
    const hash = digestOfOid(info.messageImprint.hashAlgorithm.algorithm);
    return { ...check, time: info.genTime, imprintMatches: !!hash && sameBytes(info.messageImprint.hashedMessage.buffer, stamped(hash)) };
  } catch {
    return { ...check, imprintMatches: false };
  }
}
