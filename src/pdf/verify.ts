// Verification report: for each signature of a PDF, who signed, when, whether
// the signed bytes are intact, and what was appended after it.
import "reflect-metadata";
import { ContentInfo, id_messageDigest, id_signingTime, SignedData, SigningTime, type SignerInfo } from "@peculiar/asn1-cms";
import { fromBER } from "asn1js";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Certificate as CertificateAsn } from "@peculiar/asn1-x509";
import { SubjectKeyIdentifierExtension, X509Certificate } from "@peculiar/x509";
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFParser, PDFRef, PDFString } from "pdf-lib";
import { digestOf, digestOfOid, ecCoordinateSize, ecdsaFromDer, verificationParams, type DigestName } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";
import { id_signatureTimeStampToken } from "./cms.ts";
import type { Resolve } from "./incremental.ts";
import { readTstInfo } from "./tsa.ts";
import { PdfReader, XrefError } from "./xref.ts";

export interface SignatureReport {
  fieldName: string | null;
  subFilter: string;
  signerSubject: string;
  issuer: string;
  /** ISO 8601: the dictionary's /M, else the signing-time signed attribute. */
  signingTime: string | null;
  /** ISO 8601 time of the RFC 3161 token (signature time-stamp, or the document time-stamp itself). */
  timestampTime: string | null;
  /** The signed bytes hash to the signed digest and the CMS signature verifies with the signer's key. */
  intact: boolean;
  coversWholeDocument: boolean;
  bytesAppendedAfter: number;
  /** Signed with the certificate given as `instanceCertificate`. */
  byThisInstance: boolean;
}

function hashRanges(hash: DigestName, pdf: Uint8Array, ranges: number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) parts.push(pdf.subarray(ranges[i]!, ranges[i]! + ranges[i + 1]!));
  return digestOf(hash, ...parts);
}

/** The DER value at the start of `bytes`, without the zero padding of /Contents. */
function derPrefix(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2) return bytes;
  const first = bytes[1]!;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  return bytes.subarray(0, 2 + n + len);
}

/** "D:YYYYMMDDHHmmSSOHH'mm'" to ISO 8601 (missing parts default as the spec says). */
export function parsePdfDate(text: string): string | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(text);
  if (!m) return null;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", tz, th = "00", tm = "00"] = m;
  const offset = !tz || tz === "Z" || tz === "z" ? "Z" : `${tz}${th}:${tm}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function findSignerCertificate(signedData: SignedData, signerInfo: SignerInfo): X509Certificate | undefined {
  const { issuerAndSerialNumber: ias, subjectKeyIdentifier: ski } = signerInfo.sid;
  for (const choice of signedData.certificates ?? []) {
    const asn = choice.certificate;
    if (!asn) continue;
    const cert = new X509Certificate(AsnConvert.serialize(asn));
    const matches = ias
      ? sameBytes(AsnConvert.serialize(asn.tbsCertificate.issuer), AsnConvert.serialize(ias.issuer)) && sameBytes(asn.tbsCertificate.serialNumber, ias.serialNumber)
      : ski !== undefined && cert.getExtension(SubjectKeyIdentifierExtension)?.keyId === Buffer.from(ski.buffer).toString("hex");
    if (matches) return cert;
  }
  return undefined;
}

async function signatureVerifies(cert: X509Certificate, signerInfo: SignerInfo, data: Uint8Array<ArrayBuffer>, digest: DigestName): Promise<boolean> {
  const params = verificationParams(signerInfo.signatureAlgorithm, digest, cert);
  if (!params) return false;
  let signature = new Uint8Array(signerInfo.signature.buffer);
  if (params.importParams.name === "ECDSA") {
    const size = ecCoordinateSize((params.importParams as EcKeyImportParams).namedCurve);
    if (!size) return false;
    signature = new Uint8Array(ecdsaFromDer(signature, size));
  }
  const key = await cert.publicKey.export(params.importParams, ["verify"], crypto);
  return crypto.subtle.verify(params.verifyParams, key, signature, data);
}

/** What the SignerInfo signs: its digest (with signed attributes) or its bytes (without). */
interface SignedContent {
  digest(hash: DigestName): Uint8Array;
  bytes(): Uint8Array<ArrayBuffer>;
}

interface CmsCheck {
  signer?: X509Certificate;
  intact: boolean;
  signingTime: Date | null;
  timestampToken?: ArrayBuffer;
}

/**
 * The signed attributes exactly as encoded in the CMS (first SignerInfo's [0]):
 * asn1-schema does not keep the raw bytes of a repeated field, so asn1js walks there.
 */
function rawSignedAttributes(cms: Uint8Array): Uint8Array | undefined {
  const { result } = fromBER(cms);
  const children = (block: unknown) => ((block as { valueBlock?: { value?: unknown[] } })?.valueBlock?.value ?? []) as {
    idBlock: { tagClass: number; tagNumber: number };
    valueBeforeDecodeView: Uint8Array;
  }[];
  const signedData = children(children(result)[1])[0];
  const signerInfos = children(signedData).at(-1);
  const signerInfo = children(signerInfos)[0];
  const attrs = children(signerInfo).find((c) => c.idBlock.tagClass === 3 && c.idBlock.tagNumber === 0);
  return attrs ? new Uint8Array(attrs.valueBeforeDecodeView) : undefined;
}

async function checkSignerInfo(cms: Uint8Array, signedData: SignedData, content: SignedContent): Promise<CmsCheck> {
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) return { intact: false, signingTime: null };
  const signer = findSignerCertificate(signedData, signerInfo);
  const hash = digestOfOid(signerInfo.digestAlgorithm.algorithm);
  const attr = (type: string) => signerInfo.signedAttrs?.find((a) => a.attrType === type)?.attrValues[0];
  const signingTimeValue = attr(id_signingTime);
  const signingTime = signingTimeValue ? AsnConvert.parse(signingTimeValue, SigningTime).getTime() : null;
  const timestampToken = signerInfo.unsignedAttrs?.find((a) => a.attrType === id_signatureTimeStampToken)?.attrValues[0];
  if (!signer || !hash) return { signer, intact: false, signingTime, timestampToken };

  let signedBytes: Uint8Array<ArrayBuffer>;
  if (signerInfo.signedAttrs) {
    const md = attr(id_messageDigest);
    if (!md || !sameBytes(AsnConvert.parse(md, OctetString).buffer, content.digest(hash))) return { signer, intact: false, signingTime, timestampToken };
    const raw = rawSignedAttributes(cms);
    if (!raw) return { signer, intact: false, signingTime, timestampToken };
    // The signature covers the attributes' own DER with a SET OF tag, not the [0] that carries them.
    signedBytes = new Uint8Array(raw);
    signedBytes[0] = 0x31;
  } else {
    signedBytes = content.bytes();
  }
  const intact = await signatureVerifies(signer, signerInfo, signedBytes, hash).catch(() => false);
  return { signer, intact, signingTime, timestampToken };
}

/** The document's catalog and a way to follow references: lazily, or by a full parse when the xref is broken. */
async function openForReading(pdf: Uint8Array): Promise<{ catalog: PDFObject | undefined; resolve: Resolve }> {
  try {
    const reader = new PdfReader(pdf);
    const resolve: Resolve = (o) => reader.resolve(o);
    return { catalog: resolve(reader.trailer.Root), resolve };
  } catch (e) {
    if (!(e instanceof XrefError)) throw e;
    const context = await PDFParser.forBytesWithOptions(pdf).parseDocument();
    const resolve: Resolve = (o) => (o instanceof PDFRef ? context.lookup(o) : o);
    return { catalog: resolve(context.trailerInfo.Root), resolve };
  }
}

const textOf = (o: PDFObject | undefined) => (o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : undefined);

/** Signature fields (with a value) of the AcroForm tree, with their full names. */
function signatureFields(catalog: PDFObject | undefined, resolve: Resolve): { name: string | null; value: PDFDict }[] {
  const found: { name: string | null; value: PDFDict }[] = [];
  const form = catalog instanceof PDFDict ? resolve(catalog.get(PDFName.of("AcroForm"))) : undefined;
  const visit = (node: PDFObject | undefined, parentName: string | null, inheritedFt: PDFObject | undefined, depth: number, seen: Set<PDFObject>) => {
    const field = resolve(node);
    if (!(field instanceof PDFDict) || depth > 32 || seen.has(field)) return;
    seen.add(field);
    const partial = textOf(resolve(field.get(PDFName.of("T"))));
    const name = partial === undefined ? parentName : parentName ? `${parentName}.${partial}` : partial;
    const ft = resolve(field.get(PDFName.of("FT"))) ?? inheritedFt;
    const value = resolve(field.get(PDFName.of("V")));
    if (ft === PDFName.of("Sig") && value instanceof PDFDict) found.push({ name, value });
    const kids = resolve(field.get(PDFName.of("Kids")));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, name, ft, depth + 1, seen);
  };
  const fields = form instanceof PDFDict ? resolve(form.get(PDFName.of("Fields"))) : undefined;
  const seen = new Set<PDFObject>();
  if (fields instanceof PDFArray) for (const f of fields.asArray()) visit(f, null, undefined, 0, seen);
  return found;
}

async function report(pdf: Uint8Array, fieldName: string | null, sig: PDFDict, resolve: Resolve, instanceCertificate?: X509Certificate): Promise<SignatureReport> {
  const subFilter = (resolve(sig.get(PDFName.of("SubFilter"))) as PDFName | undefined)?.decodeText() ?? "";
  const rangeArray = resolve(sig.get(PDFName.of("ByteRange")));
  const ranges = rangeArray instanceof PDFArray ? rangeArray.asArray().map((n) => (resolve(n) instanceof PDFNumber ? (resolve(n) as PDFNumber).asNumber() : NaN)) : [];
  const contents = resolve(sig.get(PDFName.of("Contents")));
  const signedEnd = ranges.length === 4 ? ranges[2]! + ranges[3]! : 0;
  const base: SignatureReport = {
    fieldName,
    subFilter,
    signerSubject: "",
    issuer: "",
    signingTime: parsePdfDate(textOf(resolve(sig.get(PDFName.of("M")))) ?? ""),
    timestampTime: null,
    intact: false,
    coversWholeDocument: ranges[0] === 0 && signedEnd === pdf.length,
    bytesAppendedAfter: Math.max(0, pdf.length - signedEnd),
    byThisInstance: false,
  };
  // The hole must be exactly the hex /Contents string, from "<" to ">", inside the file.
  const wellFormed =
    ranges.length === 4 && ranges.every((n) => Number.isInteger(n) && n >= 0) && ranges[0] === 0 && signedEnd <= pdf.length &&
    pdf[ranges[1]!] === 0x3c && pdf[ranges[2]! - 1] === 0x3e && contents instanceof PDFHexString;
  if (!wellFormed) return base;

  try {
    const cms = derPrefix(contents.asBytes());
    const signedData = AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
    const eContent = signedData.encapContentInfo.eContent;
    const encapsulated = eContent?.single ? new Uint8Array(eContent.single.buffer) : eContent?.any ? new Uint8Array(eContent.any) : undefined;
    const rangesBytes = () => new Uint8Array(Buffer.concat([pdf.subarray(0, ranges[1]), pdf.subarray(ranges[2], signedEnd)]));
    const content: SignedContent = encapsulated
      ? { digest: (h) => digestOf(h, encapsulated), bytes: () => new Uint8Array(encapsulated) }
      : { digest: (h) => hashRanges(h, pdf, ranges), bytes: rangesBytes };
    const check = await checkSignerInfo(cms, signedData, content);

    // Encapsulated content must itself vouch for the PDF bytes.
    let contentMatches = true;
    let timestampTime: Date | null = null;
    if (subFilter === "ETSI.RFC3161") {
      const tst = readTstInfo(cms);
      const hash = digestOfOid(tst.messageImprint.hashAlgorithm.algorithm);
      contentMatches = !!hash && sameBytes(tst.messageImprint.hashedMessage.buffer, hashRanges(hash, pdf, ranges));
      timestampTime = tst.genTime;
    } else if (encapsulated) {
      contentMatches = sameBytes(encapsulated, hashRanges("SHA-1", pdf, ranges)); // adbe.pkcs7.sha1
    }
    if (check.timestampToken) timestampTime = readTstInfo(check.timestampToken).genTime;

    return {
      ...base,
      signerSubject: check.signer?.subject ?? "",
      issuer: check.signer?.issuer ?? "",
      signingTime: base.signingTime ?? check.signingTime?.toISOString() ?? null,
      timestampTime: timestampTime?.toISOString() ?? null,
      intact: check.intact && contentMatches,
      byThisInstance: !!check.signer && !!instanceCertificate && sameBytes(check.signer.rawData, instanceCertificate.rawData),
    };
  } catch {
    return base; // an unreadable CMS is simply not intact
  }
}

/** Reports every signature of `pdf`, in the order they were added. */
export async function verifyPdf(pdf: Uint8Array, opts: { instanceCertificate?: X509Certificate } = {}): Promise<{ signatures: SignatureReport[] }> {
  const { catalog, resolve } = await openForReading(pdf);
  const fields = signatureFields(catalog, resolve);
  const reports = await Promise.all(fields.map((f) => report(pdf, f.name, f.value, resolve, opts.instanceCertificate)));
  const signedEnd = (r: SignatureReport) => pdf.length - r.bytesAppendedAfter;
  return { signatures: reports.sort((a, b) => signedEnd(a) - signedEnd(b)) };
}
