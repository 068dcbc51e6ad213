// One signature field appended as an incremental update: an invisible widget on
// page 1, a signature dictionary with /ByteRange and /Contents placeholders, then
// the ByteRange hashed and the contents (a CMS seal, a time-stamp token) written
// into the hole. Only the objects the field touches are read (catalog, AcroForm,
// first page and its /Annots); the original bytes are copied and hashed once,
// never parsed or rewritten.
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFRef, PDFString } from "pdf-lib";
import { nodeHashName } from "./algorithms.ts";
import { loadPdf } from "./document-io.ts";
import { buildUpdate, carriesSignature, refuseLockedDocument, SealRefusedError, writeFullDocument, type Update } from "./incremental.ts";
import { textOf } from "./signature-fields.ts";
import type { HashName } from "./signer.ts";
import { PdfReader, XrefError } from "./xref.ts";

/** What to write, as plain data (it crosses to a PDF worker): the signature dictionary's kind and texts. */
export interface SignatureLayout {
  type: "Sig" | "DocTimeStamp";
  subFilter: "ETSI.CAdES.detached" | "ETSI.RFC3161";
  /** Name of the new signature field; must not exist yet. Default: the first free "SignatureN". */
  fieldName?: string;
  /** Written as /M. */
  signingTime?: Date;
  /** Text entries of the dictionary (/Name, /Reason, /Location, /ContactInfo). */
  texts?: Record<string, string | undefined>;
  /** The digest of the ByteRange bytes `contents` receives. */
  hash: HashName;
}

/** The layout, and how to make its /Contents. */
export interface SignatureSpec extends SignatureLayout {
  /** The DER that goes into /Contents, given the ByteRange digest. */
  contents(digest: Uint8Array): Promise<Uint8Array>;
}

/**
 * A fixed-width token written verbatim: the /ByteRange and /Contents
 * placeholders, filled in once the final offsets and the CMS are known.
 */
class Placeholder extends PDFObject {
  constructor(readonly text: string) {
    super();
  }
  override clone() {
    return new Placeholder(this.text);
  }
  override toString() {
    return this.text;
  }
  override sizeInBytes() {
    return this.text.length;
  }
  override copyBytesInto(buffer: Uint8Array, offset: number) {
    for (let i = 0; i < this.text.length; i++) buffer[offset + i] = this.text.charCodeAt(i);
    return this.text.length;
  }
}

const BYTE_RANGE_WIDTH = 48; // "[0 N N N]" for files up to 10^13 bytes, padded with spaces

/** Text strings: plain literal when safe, else UTF-16BE hex (names with accents, Greek...). */
function pdfText(text: string): PDFObject {
  return /^[\x20-\x7e]*$/.test(text) && !/[()\\]/.test(text) ? PDFString.of(text) : PDFHexString.fromText(text);
}


const nonEmpty = (reader: PdfReader, node: PDFObject | undefined): node is PDFDict =>
  node instanceof PDFDict && (reader.get(node, "Count", PDFNumber)?.asNumber() ?? 1) > 0;

/** The first leaf of the page tree, and its reference (pages are always indirect). */
function firstPage(reader: PdfReader, catalog: PDFDict): { ref: PDFRef; page: PDFDict } {
  let node = catalog.get(PDFName.of("Pages"));
  for (let depth = 0; depth < 64 && node instanceof PDFRef; depth++) {
    // Fast path: the first kid read from the node's text, leaving a long /Kids unparsed.
    const quick = reader.firstKid(node);
    if (quick && nonEmpty(reader, reader.lookup(quick))) {
      node = quick;
      continue;
    }
    const dict = reader.resolve(node);
    if (!(dict instanceof PDFDict)) break;
    const kids = reader.get(dict, "Kids", PDFArray);
    if (!kids) return { ref: node, page: dict };
    // Skip empty intermediate nodes (/Count 0).
    node = kids.asArray().find((kid) => nonEmpty(reader, reader.resolve(kid)));
  }
  throw new SealRefusedError("the document has no page to carry the signature's widget");
}

interface Plan {
  /** The bytes the update goes after (the input, or its repair). */
  base: Uint8Array;
  update: Update;
  /** Placeholder positions inside update.bytes. */
  byteRangeAt: number;
  contentsAt: number;
  contentsLength: number;
}

/** Decides and serialises every object of the update, with placeholders for /ByteRange and /Contents. */
function plan(base: Uint8Array, reader: PdfReader, spec: SignatureLayout, contentsSize: number): Plan {
  if (reader.trailer.Encrypt) throw new SealRefusedError("encrypted PDFs are not supported");
  const catalogRef = reader.trailer.Root!;
  const catalog = reader.lookup(catalogRef);
  if (!(catalog instanceof PDFDict)) throw new XrefError("the document catalog is missing");
  refuseLockedDocument(catalog, (o) => reader.resolve(o));

  const { context } = reader;
  const changed = new Map<PDFRef, PDFObject>();
  let nextNumber = reader.trailer.Size;
  const newRef = () => PDFRef.of(nextNumber++);

  // AcroForm, its /Fields and /SigFlags 3 (signatures exist, append only).
  const acroFormValue = catalog.get(PDFName.of("AcroForm"));
  const existingForm = reader.resolve(acroFormValue);
  const acroForm = existingForm instanceof PDFDict ? existingForm : context.obj({});
  if (acroForm !== existingForm) {
    const ref = newRef();
    changed.set(ref, acroForm);
    catalog.set(PDFName.of("AcroForm"), ref);
    changed.set(catalogRef, catalog);
  } else if (acroFormValue instanceof PDFRef) {
    changed.set(acroFormValue, acroForm);
  } else {
    changed.set(catalogRef, catalog);
  }
  const fieldsValue = acroForm.get(PDFName.of("Fields"));
  const existingFields = reader.resolve(fieldsValue);
  const fields = existingFields instanceof PDFArray ? existingFields : context.obj([]);
  if (fields !== existingFields) {
    acroForm.set(PDFName.of("Fields"), fields);
  } else if (fieldsValue instanceof PDFRef) {
    changed.set(fieldsValue, fields); // an indirect /Fields gets its own new revision
  }
  acroForm.set(PDFName.of("SigFlags"), PDFNumber.of(3));

  const taken = new Set(fields.asArray().map((f) => {
    const field = reader.resolve(f);
    return field instanceof PDFDict ? textOf(reader.resolve(field.get(PDFName.of("T")))) : undefined;
  }));
  let fieldName = spec.fieldName;
  if (fieldName !== undefined && taken.has(fieldName)) throw new SealRefusedError(`a field named "${fieldName}" already exists`);
  for (let n = 1; fieldName === undefined; n++) if (!taken.has(`Signature${n}`)) fieldName = `Signature${n}`;

  // The signature value: placeholders now, real values once offsets and CMS are known.
  const contentsLength = contentsSize * 2;
  const sig = context.obj({ Type: spec.type, Filter: "Adobe.PPKLite", SubFilter: spec.subFilter });
  sig.set(PDFName.of("ByteRange"), new Placeholder(`[${" ".repeat(BYTE_RANGE_WIDTH - 2)}]`));
  sig.set(PDFName.of("Contents"), new Placeholder(`<${"0".repeat(contentsLength)}>`));
  if (spec.signingTime) sig.set(PDFName.of("M"), PDFString.fromDate(spec.signingTime));
  for (const [key, value] of Object.entries(spec.texts ?? {})) if (value !== undefined) sig.set(PDFName.of(key), pdfText(value));
  const sigRef = newRef();
  changed.set(sigRef, sig);

  // An invisible widget on page 1 (print + locked: /F 132) merged with its field.
  const { ref: pageRef, page } = firstPage(reader, catalog);
  const widgetRef = newRef();
  changed.set(
    widgetRef,
    context.obj({ Type: "Annot", Subtype: "Widget", FT: "Sig", T: pdfText(fieldName), V: sigRef, Rect: [0, 0, 0, 0], F: 132, P: pageRef }),
  );
  fields.push(widgetRef);
  const annotsValue = page.get(PDFName.of("Annots"));
  const annots = reader.resolve(annotsValue);
  if (annots instanceof PDFArray) {
    annots.push(widgetRef);
    changed.set(annotsValue instanceof PDFRef ? annotsValue : pageRef, annotsValue instanceof PDFRef ? annots : page);
  } else {
    page.set(PDFName.of("Annots"), context.obj([widgetRef]));
    changed.set(pageRef, page);
  }

  const update = buildUpdate(base, reader, [...changed]);
  const sigStart = update.offsets.get(sigRef)! - base.length;
  const find = (marker: string) => {
    const at = Buffer.from(update.bytes.buffer, update.bytes.byteOffset, update.bytes.length).indexOf(marker, sigStart, "latin1");
    if (at < 0) throw new Error(`internal: ${marker} placeholder not found`);
    return at + marker.length;
  };
  return { base, update, byteRangeAt: find("/ByteRange "), contentsAt: find("/Contents "), contentsLength };
}

/** Plans on the file as it is; a broken xref chain in an unsigned file is repaired by a full rewrite first. */
async function planOrRepair(pdf: Uint8Array, spec: SignatureLayout, size: number): Promise<Plan> {
  try {
    return plan(pdf, new PdfReader(pdf), spec, size);
  } catch (e) {
    if (!(e instanceof XrefError)) throw e;
    if (carriesSignature(pdf)) {
      throw new SealRefusedError(`the PDF's cross-reference data is damaged (${e.message}); it carries signatures that a repair would break`);
    }
    const repaired = writeFullDocument(await loadPdf(pdf));
    return plan(repaired, new PdfReader(repaired), spec, size);
  }
}

/** A seal as the original (or its repair) followed by the bytes appended to it. */
export interface SealedParts {
  /** The input itself, or its full rewrite when its xref chain had to be repaired. */
  base: Uint8Array;
  /** The incremental update, signature included: the sealed file is `base` then `appended`. */
  appended: Uint8Array;
  /** The sealed file's SHA-256 (hex), when the signature's own digest was SHA-256: hashed along with it. */
  sha256?: string;
}

/**
 * The file with its placeholders written and the ByteRange hashed: the byte-heavy half of a
 * signature (parsing, writing the update, hashing up to the whole file). What comes out: the
 * base, the update, the digest to sign.
 */
interface PreparedSignature {
  /** What the update is appended to: the input itself, or its full rewrite when its xref chain had to be repaired. */
  base: Uint8Array;
  /** The incremental update, /Contents still zeros. */
  appended: Uint8Array;
  contentsAt: number;
  contentsLength: number;
  digest: Uint8Array;
  /** The SHA-256 state after the bytes before /Contents, when the digest is SHA-256: the file's hash goes on from it. */
  prefix: Bun.CryptoHasher | null;
}

async function prepareSignature(pdf: Uint8Array, layout: SignatureLayout, room: number): Promise<PreparedSignature> {
  const { base, update, byteRangeAt, contentsAt, contentsLength } = await planOrRepair(pdf, layout, room);
  const appended = update.bytes;
  const contentsStart = base.length + contentsAt; // offset of "<"
  const contentsEnd = contentsStart + contentsLength + 2; // just after ">"
  const byteRange = `[0 ${contentsStart} ${contentsEnd} ${base.length + appended.length - contentsEnd}]`;
  appended.set(Buffer.from(byteRange.padEnd(BYTE_RANGE_WIDTH, " "), "latin1"), byteRangeAt);

  // The two ByteRange slices, hashed in place. The file's own SHA-256 starts with the same bytes
  // (up to the whole input): with a SHA-256 digest their state is copied there, so the file
  // store does not hash the input a second time (~60 ms of CPU per 100 MB).
  const hasher = new Bun.CryptoHasher(nodeHashName(layout.hash)).update(base).update(appended.subarray(0, contentsAt));
  const prefix = layout.hash === "SHA-256" ? hasher.copy() : null;
  const digest = new Uint8Array(hasher.update(appended.subarray(contentsAt + contentsLength + 2)).digest());
  return { base, appended, contentsAt, contentsLength, digest, prefix };
}

/**
 * Appends the signature field with room for `room` bytes of contents, without building
 * the whole file in memory. Contents longer than measured (a fallback TSA with a longer
 * chain) get one more try with room for them. The contents (the key's signature, a
 * time-stamp) are made by the spec from the digest: on a PDF thread, a call to the main thread.
 */
export async function appendSignature(pdf: Uint8Array, spec: SignatureSpec, room: number): Promise<SealedParts> {
  const first = await signWithRoom(pdf, spec, room);
  if ("parts" in first) return first.parts;
  // Again from the base the first try used (the input, or its repair).
  const second = await signWithRoom(first.base, spec, first.needed + 512);
  if ("parts" in second) return second.parts;
  throw new Error(`the signature (${second.needed} bytes) does not fit the ${first.needed + 512} bytes reserved`);
}

async function signWithRoom(pdf: Uint8Array, spec: SignatureSpec, room: number): Promise<{ parts: SealedParts } | { needed: number; base: Uint8Array }> {
  const { base, appended, contentsAt, contentsLength, digest, prefix } = await prepareSignature(pdf, spec, room);
  const cms = await spec.contents(digest);
  if (cms.length * 2 > contentsLength) return { needed: cms.length, base };
  appended.set(Buffer.from(Buffer.from(cms).toString("hex").toUpperCase(), "latin1"), contentsAt + 1);
  return { parts: { base, appended, sha256: prefix?.update(appended.subarray(contentsAt)).digest("hex") } };
}

/** The whole file: `base` then `appended`. */
export function joinParts({ base, appended }: SealedParts): Uint8Array {
  const out = new Uint8Array(base.length + appended.length);
  out.set(base);
  out.set(appended, base.length);
  return out;
}
