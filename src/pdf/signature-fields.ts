// Reading the signatures a PDF carries, at the PDF level: signature fields,
// their dictionaries, /ByteRange and /Contents. What the CMS inside says is
// cms-validation.ts's business.
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFParser, PDFRef, PDFString } from "pdf-lib";
import { digestOf, type DigestName } from "./algorithms.ts";
import type { Resolve } from "./incremental.ts";
import { PdfReader, XrefError } from "./xref.ts";

export interface EmbeddedSignature {
  fieldName: string | null;
  /** The dictionary itself (to tell the certification signature by identity). */
  dictionary: PDFDict;
  /** /Type: "Sig", or "DocTimeStamp" for a document time-stamp. */
  type: string;
  subFilter: string;
  /** /M as ISO 8601. */
  claimedTime: string | null;
  ranges: number[];
  /** Offset just after the signed bytes: the signed revision is the file up to here. */
  signedEnd: number;
  /** The DER in /Contents without its zero padding; absent when /ByteRange and /Contents are not well formed. */
  contents?: Uint8Array;
}

/** The document's catalog and a way to follow references: lazily, or by a full parse when the xref is broken. */
export async function openForReading(pdf: Uint8Array): Promise<{ catalog: PDFObject | undefined; resolve: Resolve }> {
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

export const textOf = (o: PDFObject | undefined) => (o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : undefined);

/** "D:YYYYMMDDHHmmSSOHH'mm'" to ISO 8601 (missing parts default as the spec says). */
export function parsePdfDate(text: string): string | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(text);
  if (!m) return null;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", tz, th = "00", tm = "00"] = m;
  const offset = !tz || tz === "Z" || tz === "z" ? "Z" : `${tz}${th}:${tm}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
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

/** Digest of the bytes a /ByteRange covers. */
export function hashRanges(hash: DigestName, pdf: Uint8Array, ranges: number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) parts.push(pdf.subarray(ranges[i]!, ranges[i]! + ranges[i + 1]!));
  return digestOf(hash, ...parts);
}

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

function readSignature(pdf: Uint8Array, fieldName: string | null, sig: PDFDict, resolve: Resolve): EmbeddedSignature {
  const name = (key: string) => (resolve(sig.get(PDFName.of(key))) as PDFName | undefined)?.decodeText?.() ?? "";
  const rangeArray = resolve(sig.get(PDFName.of("ByteRange")));
  const ranges = rangeArray instanceof PDFArray ? rangeArray.asArray().map((n) => { const v = resolve(n); return v instanceof PDFNumber ? v.asNumber() : NaN; }) : [];
  const contents = resolve(sig.get(PDFName.of("Contents")));
  const signedEnd = ranges.length === 4 ? ranges[2]! + ranges[3]! : 0;
  // The hole must be exactly the hex /Contents string, from "<" to ">", inside the file.
  const wellFormed =
    ranges.length === 4 && ranges.every((n) => Number.isInteger(n) && n >= 0) && ranges[0] === 0 && signedEnd <= pdf.length &&
    pdf[ranges[1]!] === 0x3c && pdf[ranges[2]! - 1] === 0x3e && contents instanceof PDFHexString;
  return {
    fieldName,
    dictionary: sig,
    type: name("Type") || "Sig",
    subFilter: name("SubFilter"),
    claimedTime: parsePdfDate(textOf(resolve(sig.get(PDFName.of("M")))) ?? ""),
    ranges,
    signedEnd,
    contents: wellFormed ? derPrefix((contents as PDFHexString).asBytes()) : undefined,
  };
}

/** Every signature and document time-stamp of the document, in the order they were added. */
export function readSignatures(pdf: Uint8Array, catalog: PDFObject | undefined, resolve: Resolve): EmbeddedSignature[] {
  return signatureFields(catalog, resolve)
    .map((f) => readSignature(pdf, f.name, f.value, resolve))
    .sort((a, b) => a.signedEnd - b.signedEnd);
}
