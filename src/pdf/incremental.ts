// Incremental updates: new and changed objects appended after the original
// bytes, with a cross-reference section of the same kind as the previous one.
// A signed revision's bytes are never rewritten, so earlier signatures stay valid.
import {
  PDFArray,
  PDFContext,
  PDFCrossRefSection,
  PDFCrossRefStream,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFTrailer,
  PDFTrailerDict,
} from "pdf-lib";
import { concatBytes } from "./bytes.ts";
import { docMdpPermission } from "./docmdp.ts";
import { PdfReader, XrefError, type TrailerInfo, type XrefKind } from "./xref.ts";
import "./native-deflate.ts";

export { PdfReader, XrefError } from "./xref.ts";

/** The PDF must not be changed (certified with DocMDP P=1, encrypted...). */
export class SealRefusedError extends Error {
  override name = "SealRefusedError";
}

const encoder = new TextEncoder();

interface Serialisable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

function serialise(part: Serialisable): Uint8Array {
  const out = new Uint8Array(part.sizeInBytes());
  part.copyBytesInto(out, 0);
  return out;
}

function objectBytes(ref: PDFRef, object: PDFObject): Uint8Array {
  const head = encoder.encode(`${ref.objectNumber} ${ref.generationNumber} obj\n`);
  const tail = encoder.encode("\nendobj\n");
  const size = object.sizeInBytes(); // for streams this also sets /Length
  const out = new Uint8Array(head.length + size + tail.length);
  out.set(head, 0);
  object.copyBytesInto(out, head.length);
  out.set(tail, head.length + size);
  return out;
}

/** /ID for a new revision: the first element names the document and is kept; the second changes. */
function nextId(context: PDFContext, previous: PDFArray | undefined): PDFArray {
  const fresh = PDFHexString.of(Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex").toUpperCase());
  return context.obj([previous?.get(0) ?? fresh, fresh]);
}

interface Revision {
  /** Absolute offset where the revision's bytes will start. */
  start: number;
  objects: [PDFRef, PDFObject][];
  kind: XrefKind;
  /** Previous trailer: /Size floor, /Root, /Info and /ID to carry on. */
  previous: TrailerInfo;
  /** Offset of the previous cross-reference section; absent for a whole document. */
  prev?: number;
  root?: PDFObject;
  info?: PDFObject;
}

export interface Update {
  bytes: Uint8Array;
  /** Absolute file offset of each written object's `N G obj` line. */
  offsets: Map<PDFRef, number>;
}

/** Objects, then a cross-reference section of `kind` and the trailer (with /Prev when appending). */
function writeRevision({ start, objects, kind, previous, prev, root, info }: Revision): Update {
  const sorted = [...objects].sort(([a], [b]) => a.objectNumber - b.objectNumber);
  const parts: Uint8Array[] = [];
  const offsets = new Map<PDFRef, number>();
  let at = start;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    at += bytes.length;
  };
  for (const [ref, object] of sorted) {
    offsets.set(ref, at);
    push(objectBytes(ref, object));
  }

  const context = PDFContext.create();
  const trailer = context.obj({});
  const rootRef = root ?? previous.Root;
  if (!rootRef) throw new XrefError("the document has no /Root");
  trailer.set(PDFName.of("Root"), rootRef);
  const infoObj = info ?? previous.Info;
  if (infoObj) trailer.set(PDFName.of("Info"), infoObj);
  trailer.set(PDFName.of("ID"), nextId(context, previous.ID));
  if (prev !== undefined) trailer.set(PDFName.of("Prev"), PDFNumber.of(prev));
  const nextFree = Math.max(previous.Size, sorted.reduce((n, [ref]) => Math.max(n, ref.objectNumber + 1), 1));

  const xrefOffset = at;
  if (kind === "table") {
    trailer.set(PDFName.of("Size"), PDFNumber.of(nextFree));
    // A whole document's table starts with the head of the free list, object 0.
    const section = prev === undefined ? PDFCrossRefSection.create() : PDFCrossRefSection.createEmpty();
    for (const [ref] of sorted) section.addEntry(ref, offsets.get(ref)!);
    push(serialise(section));
    push(serialise(PDFTrailerDict.of(trailer)));
    push(encoder.encode("\n"));
  } else {
    const xrefRef = PDFRef.of(nextFree);
    trailer.set(PDFName.of("Size"), PDFNumber.of(nextFree + 1));
    const stream = PDFCrossRefStream.create(trailer);
    for (const [ref] of sorted) stream.addUncompressedEntry(ref, offsets.get(ref)!);
    stream.addUncompressedEntry(xrefRef, xrefOffset);
    push(objectBytes(xrefRef, stream));
  }
  push(serialise(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  push(encoder.encode("\n"));
  return { bytes: concatBytes(parts), offsets };
}

/** The incremental update (only the bytes to append) adding `objects` to `original`. */
export function buildUpdate(
  original: Uint8Array,
  reader: PdfReader,
  objects: [PDFRef, PDFObject][],
  trailer: { root?: PDFObject; info?: PDFObject } = {},
): Update {
  const last = original[original.length - 1];
  const needsEol = last !== 0x0a && last !== 0x0d;
  const update = writeRevision({
    start: original.length + (needsEol ? 1 : 0),
    objects,
    kind: reader.xrefKind,
    previous: reader.trailer,
    prev: reader.startxref,
    ...trailer,
  });
  return needsEol ? { ...update, bytes: concatBytes([encoder.encode("\n"), update.bytes]) } : update;
}

/** Whole-document save (classic table, no object streams) for files whose xref chain is broken. */
export function writeFullDocument(doc: PDFDocument): Uint8Array {
  const { context } = doc;
  const header = serialise(context.header);
  const binaryComment = new Uint8Array([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]); // marks the file as binary
  const body = writeRevision({
    start: header.length + binaryComment.length,
    objects: context.enumerateIndirectObjects(),
    kind: "table",
    previous: { ID: asArray(context.trailerInfo.ID), Size: 0 },
    root: context.trailerInfo.Root,
    info: context.trailerInfo.Info,
  });
  return concatBytes([header, binaryComment, body.bytes]);
}

const asArray = (o: PDFObject | undefined) => (o instanceof PDFArray ? o : undefined);

/** A signature dictionary cannot live in an object stream, so a byte search finds every signature. */
export function carriesSignature(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf("/ByteRange") >= 0;
}

export type Resolve = (obj: PDFObject | undefined) => PDFObject | undefined;

/**
 * Refuses documents any change would break: a certification signature with
 * DocMDP permissions P=1 forbids every change, including ours.
 */
export function refuseLockedDocument(catalog: PDFDict, resolve: Resolve): void {
  if (docMdpPermission(catalog, resolve) === 1) {
    throw new SealRefusedError("the document is certified with DocMDP P=1 (no changes allowed): adding anything would invalidate its certification");
  }
}

// --- snapshots of a pdf-lib document ----------------------------------------

/**
 * How an object looked at snapshot time. Streams are compared by dictionary
 * and by the identity of their raw contents, so that image data is neither
 * copied nor serialised.
 */
type Fingerprint = string | { dict: string; contents: Uint8Array; length: number };

export interface Snapshot {
  readonly objects: ReadonlyMap<PDFRef, Fingerprint>;
  readonly largestObjectNumber: number;
}

function fingerprint(object: PDFObject): Fingerprint {
  if (object instanceof PDFRawStream) {
    return { dict: object.dict.toString(), contents: object.contents, length: object.contents.length };
  }
  if (object instanceof PDFStream) {
    // Streams pdf-lib builds itself (content streams) are small: compare their bytes.
    return `${object.dict.toString()}\n${Buffer.from(object.getContents()).toString("latin1")}`;
  }
  return object.toString();
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.dict === b.dict && a.contents === b.contents && a.length === b.length;
}

/** Records every indirect object of `doc` (loaded from the original bytes) before changes. */
export function takeSnapshot(doc: PDFDocument): Snapshot {
  const objects = new Map<PDFRef, Fingerprint>();
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) objects.set(ref, fingerprint(object));
  return { objects, largestObjectNumber: doc.context.largestObjectNumber };
}

function changedObjects(doc: PDFDocument, snapshot: Snapshot): [PDFRef, PDFObject][] {
  return doc.context.enumerateIndirectObjects().filter(([ref, object]) => {
    const before = snapshot.objects.get(ref);
    return !before || !sameFingerprint(before, fingerprint(object));
  });
}

/** pdf-lib embeds fonts and images only on flush: a reference to an object that does not exist yet means the caller forgot it. */
function assertFlushed(doc: PDFDocument, objects: [PDFRef, PDFObject][], snapshot: Snapshot): void {
  const visit = (o: PDFObject | undefined): void => {
    if (o instanceof PDFRef) {
      if (o.objectNumber > snapshot.largestObjectNumber && !doc.context.lookup(o)) {
        throw new Error(`saveIncremental: object ${o} is referenced but does not exist; call \`await doc.flush()\` before saveIncremental`);
      }
    } else if (o instanceof PDFDict) {
      for (const [, v] of o.entries()) visit(v);
    } else if (o instanceof PDFArray) {
      for (const v of o.asArray()) visit(v);
    } else if (o instanceof PDFStream) {
      visit(o.dict);
    }
  };
  for (const [, object] of objects) visit(object);
}

/**
 * pdf-lib does not register object streams and xref streams as objects, so it
 * may hand out their numbers again to new objects. Such new objects are moved
 * past both the original's /Size and pdf-lib's own numbers, and every reference to them (only changed objects
 * can hold one) follows.
 */
function renumberCollisions(doc: PDFDocument, changed: [PDFRef, PDFObject][], snapshot: Snapshot, firstFree: number): [PDFRef, PDFObject][] {
  const moves = new Map<PDFRef, PDFRef>();
  let next = Math.max(firstFree, doc.context.largestObjectNumber + 1);
  for (const [ref] of changed) if (!snapshot.objects.has(ref) && ref.objectNumber < firstFree) moves.set(ref, PDFRef.of(next++));
  if (moves.size === 0) return changed;
  const moved = (o: PDFObject | undefined) => (o instanceof PDFRef ? moves.get(o) : undefined);
  const visit = (o: PDFObject): void => {
    if (o instanceof PDFDict) {
      for (const [key, value] of o.entries()) {
        const target = moved(value);
        if (target) o.set(key, target);
        else visit(value);
      }
    } else if (o instanceof PDFArray) {
      for (let i = 0; i < o.size(); i++) {
        const target = moved(o.get(i));
        if (target) o.set(i, target);
        else visit(o.get(i));
      }
    } else if (o instanceof PDFStream) {
      visit(o.dict);
    }
  };
  const { trailerInfo } = doc.context;
  trailerInfo.Root = moved(trailerInfo.Root) ?? trailerInfo.Root;
  trailerInfo.Info = moved(trailerInfo.Info) ?? trailerInfo.Info;
  return changed.map(([ref, object]) => {
    visit(object);
    const target = moves.get(ref);
    if (!target) return [ref, object];
    doc.context.delete(ref);
    doc.context.assign(target, object);
    return [target, object];
  });
}

/**
 * Appends to `original` the objects of `doc` that are new or changed since
 * `snapshot`, as one incremental update. `doc` must be loaded from `original`
 * (`PDFDocument.load(original, { updateMetadata: false })`) and flushed
 * (`await doc.flush()`) so that embedded fonts and images exist. New objects
 * may be renumbered on the way: do not draw with `doc` after saving.
 * If the original's xref chain is broken, an unsigned file is rewritten whole;
 * a signed one is refused, since a rewrite would break its signatures.
 */
export function saveIncremental(original: Uint8Array, doc: PDFDocument, snapshot: Snapshot): Uint8Array {
  let reader: PdfReader;
  try {
    reader = new PdfReader(original);
  } catch (e) {
    if (!(e instanceof XrefError)) throw e;
    if (carriesSignature(original)) {
      throw new XrefError(`cannot append to this signed PDF: its cross-reference chain is broken (${e.message})`);
    }
    return writeFullDocument(doc);
  }
  if (reader.trailer.Encrypt) throw new SealRefusedError("encrypted PDFs are not supported");
  const resolve: Resolve = (o) => (o instanceof PDFRef ? doc.context.lookup(o) : o);
  refuseLockedDocument(doc.catalog, resolve);

  const found = changedObjects(doc, snapshot);
  if (found.length === 0) return original;
  assertFlushed(doc, found, snapshot);
  const changed = renumberCollisions(doc, found, snapshot, reader.trailer.Size);
  const update = buildUpdate(original, reader, changed, {
    root: doc.context.trailerInfo.Root,
    info: doc.context.trailerInfo.Info,
  });
  return concatBytes([original, update.bytes]);
}
