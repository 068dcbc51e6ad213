// Lazy access to an existing PDF through its cross-reference chain.
//
// Sealing a 100 MB file must cost little more than hashing it, so nothing here
// walks the file: we read `startxref` at the end, follow the chain of sections
// (/Prev, and /XRefStm in hybrid files) and parse, with pdf-lib's own object
// parser, only the objects somebody asks for. Parsed objects are registered in
// a pdf-lib PDFContext so that `dict.lookup(...)` works on them.
import { inflateSync } from "node:zlib";
import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
} from "pdf-lib";

/** The cross-reference chain cannot be followed: the file needs reconstruction. */
export class XrefError extends Error {
  override name = "XrefError";
}

type XrefEntry =
  | { kind: "free" }
  | { kind: "offset"; offset: number; gen: number }
  | { kind: "compressed"; stream: number; index: number };

/** One cross-reference section; `undefined` means "not listed here, look further". */
interface XrefSection {
  lookup(objectNumber: number): XrefEntry | undefined;
}

export type XrefKind = "table" | "stream";

export interface TrailerInfo {
  Root?: PDFRef;
  Info?: PDFObject;
  ID?: PDFArray;
  Encrypt?: PDFObject;
  /** Largest /Size over the chain: the first object number free for new objects. */
  Size: number;
}

const latin1 = new TextDecoder("latin1");
const ascii = (bytes: Uint8Array, from: number, to: number) =>
  latin1.decode(bytes.subarray(Math.max(0, from), Math.min(bytes.length, to)));

const isWhite = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

function skipWhite(bytes: Uint8Array, pos: number): number {
  while (pos < bytes.length) {
    if (isWhite(bytes[pos]!)) pos++;
    else if (bytes[pos] === 0x25 /* % comment */) {
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    } else break;
  }
  return pos;
}

function readInt(bytes: Uint8Array, pos: number): [value: number, end: number] {
  let end = pos;
  while (end < bytes.length && isDigit(bytes[end]!)) end++;
  if (end === pos) throw new XrefError(`expected a number at offset ${pos}`);
  return [Number(ascii(bytes, pos, end)), end];
}

function startsWith(bytes: Uint8Array, pos: number, keyword: string): boolean {
  return ascii(bytes, pos, pos + keyword.length) === keyword;
}

/** Offset named by the last `startxref` of the file. */
export function findStartXref(bytes: Uint8Array): number {
  const tail = ascii(bytes, bytes.length - 2048, bytes.length);
  const at = tail.lastIndexOf("startxref");
  if (at < 0) throw new XrefError("no startxref at the end of the file");
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!m) throw new XrefError("startxref is not followed by an offset");
  const offset = Number(m[1]);
  if (offset <= 0 || offset >= bytes.length) throw new XrefError(`startxref ${offset} is outside the file`);
  return offset;
}

/** Parses one direct object that starts at `pos` (pdf-lib's parser, on a view: no copy). */
function parseObjectAt(bytes: Uint8Array, pos: number, context: PDFContext): PDFObject {
  return PDFObjectParser.forBytes(bytes.subarray(pos), context).parseObject();
}

/** Parses `N G obj <object>` at `offset`, checking that it is the object the xref promised. */
function parseIndirectAt(bytes: Uint8Array, offset: number, context: PDFContext, expect?: PDFRef): [PDFRef, PDFObject] {
  const head = /^(\d+)[\s\0]+(\d+)[\s\0]+obj/.exec(ascii(bytes, offset, offset + 48));
  if (!head) throw new XrefError(`no object header at offset ${offset}`);
  const ref = PDFRef.of(Number(head[1]), Number(head[2]));
  if (expect && ref !== expect) throw new XrefError(`xref says object ${expect} is at offset ${offset}, found ${ref}`);
  try {
    return [ref, parseObjectAt(bytes, offset + head[0].length, context)];
  } catch (e) {
    throw new XrefError(`object ${ref} at offset ${offset} cannot be parsed: ${(e as Error).message}`);
  }
}

/** Undoes the PNG row predictors (10-15) used by xref and object streams. */
function unpredictPng(data: Uint8Array, columns: number, bytesPerPixel: number): Uint8Array {
  const rowLength = columns * bytesPerPixel;
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = new Uint8Array(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * (rowLength + 1)]!;
    const src = r * (rowLength + 1) + 1;
    const dst = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bytesPerPixel ? out[dst + i - bytesPerPixel]! : 0;
      const up = r > 0 ? out[dst + i - rowLength]! : 0;
      const upLeft = r > 0 && i >= bytesPerPixel ? out[dst + i - rowLength - bytesPerPixel]! : 0;
      let predicted: number;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = left; break;
        case 2: predicted = up; break;
        case 3: predicted = (left + up) >> 1; break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
          predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default: throw new XrefError(`unknown PNG predictor ${filter}`);
      }
      out[dst + i] = (data[src + i]! + predicted) & 0xff;
    }
  }
  return out;
}

/** Far above any real xref or object stream, far below what a zip bomb would allocate. */
const MAX_STRUCTURAL_STREAM = 64 * 1024 * 1024;

/**
 * Decodes the small structural streams we need (xref streams, object streams).
 * pdf-lib's own decoder has no predictor support, which xref streams use.
 */
export function decodeStructuralStream(stream: PDFRawStream): Uint8Array {
  const { dict } = stream;
  const filter = dict.lookup(PDFName.of("Filter"));
  const filterName = filter instanceof PDFArray ? filter.size() === 1 ? filter.lookup(0) : filter : filter;
  if (filterName === undefined) return stream.contents;
  if (filterName !== PDFName.of("FlateDecode")) throw new XrefError(`unsupported filter ${filterName} on a structural stream`);
  let data: Uint8Array;
  try {
    data = inflateSync(stream.contents, { maxOutputLength: MAX_STRUCTURAL_STREAM });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new XrefError(`a structural stream expands beyond ${MAX_STRUCTURAL_STREAM / 1024 / 1024} MiB`);
    throw new XrefError(`a structural stream cannot be inflated: ${(e as Error).message}`);
  }
  let parms = dict.lookup(PDFName.of("DecodeParms"));
  if (parms instanceof PDFArray) parms = parms.lookup(0);
  if (parms instanceof PDFDict) {
    const num = (key: string, dflt: number) => (parms as PDFDict).lookupMaybe(PDFName.of(key), PDFNumber)?.asNumber() ?? dflt;
    const predictor = num("Predictor", 1);
    if (predictor >= 10) {
      const bytesPerPixel = Math.ceil((num("Colors", 1) * num("BitsPerComponent", 8)) / 8);
      data = unpredictPng(data, num("Columns", 1), bytesPerPixel);
    } else if (predictor !== 1) {
      throw new XrefError(`unsupported predictor ${predictor} on a structural stream`);
    }
  }
  return data;
}

/** Classic `xref` table: subsections are located once, entries read on demand. */
function readTableSection(bytes: Uint8Array, offset: number, context: PDFContext): { section: XrefSection; trailer: PDFDict } {
  const subsections: { first: number; count: number; at: number; width: number }[] = [];
  let pos = skipWhite(bytes, offset + 4);
  while (isDigit(bytes[pos] ?? 0)) {
    let first: number, count: number;
    [first, pos] = readInt(bytes, pos);
    pos = skipWhite(bytes, pos);
    [count, pos] = readInt(bytes, pos);
    pos = skipWhite(bytes, pos);
    // Entries are 20 bytes by the spec; some writers use a one-byte EOL (19).
    const width = count > 0 && isDigit(bytes[pos + 19] ?? 0) ? 19 : 20;
    if (count > 0 && !/^\d{10} \d{5} [nf]$/.test(ascii(bytes, pos, pos + 18))) {
      throw new XrefError(`malformed xref entry at offset ${pos}`);
    }
    subsections.push({ first, count, at: pos, width });
    pos = skipWhite(bytes, pos + count * width);
  }
  if (!startsWith(bytes, pos, "trailer")) throw new XrefError(`no trailer after the xref table at offset ${offset}`);
  const trailer = parseObjectAt(bytes, pos + 7, context);
  if (!(trailer instanceof PDFDict)) throw new XrefError(`trailer at offset ${pos} is not a dictionary`);

  const lookup = (n: number): XrefEntry | undefined => {
    for (const s of subsections) {
      if (n < s.first || n >= s.first + s.count) continue;
      const at = s.at + (n - s.first) * s.width;
      const text = ascii(bytes, at, at + 18);
      const m = /^(\d{10}) (\d{5}) ([nf])$/.exec(text);
      if (!m) throw new XrefError(`malformed xref entry for object ${n} at offset ${at}`);
      return m[3] === "f" ? { kind: "free" } : { kind: "offset", offset: Number(m[1]), gen: Number(m[2]) };
    }
    return undefined;
  };
  return { section: { lookup }, trailer };
}

/** Cross-reference stream: decoded once, rows read on demand. */
function readStreamSection(bytes: Uint8Array, offset: number, context: PDFContext): { section: XrefSection; trailer: PDFDict } {
  const [, stream] = parseIndirectAt(bytes, offset, context);
  if (!(stream instanceof PDFRawStream) || stream.dict.lookup(PDFName.of("Type")) !== PDFName.of("XRef")) {
    throw new XrefError(`offset ${offset} holds neither an xref table nor an xref stream`);
  }
  const { dict } = stream;
  const data = decodeStructuralStream(stream);
  const widths = dict.lookup(PDFName.of("W"), PDFArray).asArray().map((w) => (w as PDFNumber).asNumber());
  if (widths.length !== 3) throw new XrefError(`xref stream at offset ${offset} has a bad /W`);
  const [w0, w1, w2] = widths as [number, number, number];
  const rowWidth = w0 + w1 + w2;
  const size = dict.lookup(PDFName.of("Size"), PDFNumber).asNumber();
  const indexArray = dict.lookupMaybe(PDFName.of("Index"), PDFArray);
  const index = indexArray ? indexArray.asArray().map((n) => (n as PDFNumber).asNumber()) : [0, size];

  const field = (at: number, width: number) => {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[at + i]!;
    return v;
  };
  const lookup = (n: number): XrefEntry | undefined => {
    let row = 0;
    for (let i = 0; i + 1 < index.length; i += 2) {
      const first = index[i]!, count = index[i + 1]!;
      if (n >= first && n < first + count) {
        const at = (row + n - first) * rowWidth;
        if (at + rowWidth > data.length) throw new XrefError(`xref stream at offset ${offset} is too short`);
        const type = w0 === 0 ? 1 : field(at, w0);
        const f2 = field(at + w0, w1), f3 = field(at + w0 + w1, w2);
        if (type === 1) return { kind: "offset", offset: f2, gen: f3 };
        if (type === 2) return { kind: "compressed", stream: f2, index: f3 };
        return { kind: "free" };
      }
      row += count;
    }
    return undefined;
  };
  return { section: { lookup }, trailer: dict };
}

/** A table section whose hidden xref stream (/XRefStm) completes it (hybrid files). */
function hybrid(table: XrefSection, hidden: XrefSection): XrefSection {
  return {
    lookup(n) {
      const own = table.lookup(n);
      if (own?.kind === "offset") return own;
      // Objects in object streams are listed as free in the table for old readers.
      return hidden.lookup(n) ?? own;
    },
  };
}

/** An opened PDF: its trailer and lazy object access. */
export class PdfReader {
  readonly context = PDFContext.create();
  readonly startxref: number;
  /** Kind of the newest cross-reference section: an update must use the same. */
  readonly xrefKind: XrefKind;
  readonly trailer: TrailerInfo;
  private readonly sections: XrefSection[] = [];
  private readonly objectStreams = new Map<number, { data: Uint8Array; offsets: Map<number, number> }>();

  constructor(readonly bytes: Uint8Array) {
    this.startxref = findStartXref(bytes);
    this.xrefKind = startsWith(bytes, this.startxref, "xref") ? "table" : "stream";
    const trailers: PDFDict[] = [];
    const seen = new Set<number>();
    let offset: number | undefined = this.startxref;
    while (offset !== undefined) {
      if (seen.has(offset) || offset <= 0 || offset >= bytes.length) throw new XrefError(`bad /Prev offset ${offset}`);
      seen.add(offset);
      const { section, trailer }: { section: XrefSection; trailer: PDFDict } = startsWith(bytes, offset, "xref")
        ? this.tableWithHiddenStream(offset)
        : readStreamSection(bytes, offset, this.context);
      this.sections.push(section);
      trailers.push(trailer);
      offset = trailer.lookupMaybe(PDFName.of("Prev"), PDFNumber)?.asNumber();
    }
    this.trailer = mergeTrailers(trailers);
    if (!this.trailer.Root) throw new XrefError("the trailer has no /Root");
  }

  private tableWithHiddenStream(offset: number) {
    const table = readTableSection(this.bytes, offset, this.context);
    const xrefStm = table.trailer.lookupMaybe(PDFName.of("XRefStm"), PDFNumber)?.asNumber();
    if (xrefStm === undefined) return table;
    return { section: hybrid(table.section, readStreamSection(this.bytes, xrefStm, this.context).section), trailer: table.trailer };
  }

  private entry(objectNumber: number): XrefEntry | undefined {
    for (const section of this.sections) {
      const e = section.lookup(objectNumber);
      if (e) return e;
    }
    return undefined;
  }

  /** Where an object's text starts: in the file, or in its decoded object stream. */
  private locate(ref: PDFRef): { data: Uint8Array; pos: number } | undefined {
    const e = this.entry(ref.objectNumber);
    if (!e || e.kind === "free") return undefined;
    if (e.kind === "offset") {
      if (e.gen !== ref.generationNumber) return undefined;
      const head = /^(\d+)[\s\0]+(\d+)[\s\0]+obj/.exec(ascii(this.bytes, e.offset, e.offset + 48));
      if (!head || Number(head[1]) !== ref.objectNumber) throw new XrefError(`xref says object ${ref} is at offset ${e.offset}, found none there`);
      return { data: this.bytes, pos: e.offset + head[0].length };
    }
    const objStm = this.objectStream(e.stream);
    const pos = objStm.offsets.get(ref.objectNumber);
    if (pos === undefined) throw new XrefError(`object ${ref.objectNumber} is not in object stream ${e.stream}`);
    return { data: objStm.data, pos };
  }

  /** The object a reference points to (undefined for free or missing objects, as the spec says: null). */
  lookup(ref: PDFRef): PDFObject | undefined {
    const known = this.context.lookup(ref);
    if (known) return known;
    const at = this.locate(ref);
    if (!at) return undefined;
    let object: PDFObject;
    try {
      object = parseObjectAt(at.data, at.pos, this.context);
    } catch (e) {
      throw new XrefError(`object ${ref} cannot be parsed: ${(e as Error).message}`);
    }
    this.context.assign(ref, object);
    return object;
  }

  /**
   * The first entry of a page-tree node's direct /Kids array, read from the object's text
   * without parsing the rest: a document of 10,000 pages has a /Kids of 10,000 references,
   * and the seal needs one. Undefined when the text is not that simple (the caller parses).
   */
  firstKid(ref: PDFRef): PDFRef | undefined {
    if (this.context.lookup(ref)) return undefined;
    const at = this.locate(ref);
    if (!at) return undefined;
    const head = ascii(at.data, at.pos, Math.min(at.data.length, at.pos + 4096));
    const m = /^\s*<<[^]*?\/Kids\s*\[\s*(\d+)\s+(\d+)\s+R/.exec(head);
    return m ? PDFRef.of(Number(m[1]), Number(m[2])) : undefined;
  }

  /** Follows a reference if `obj` is one. */
  resolve(obj: PDFObject | undefined): PDFObject | undefined {
    return obj instanceof PDFRef ? this.lookup(obj) : obj;
  }

  /** `dict[key]`, fetched if indirect; undefined if absent or not of the wanted type. */
  get<T extends PDFObject>(dict: PDFDict, key: string, type: { prototype: T }): T | undefined {
    const value = this.resolve(dict.get(PDFName.of(key)));
    return value instanceof (type as unknown as typeof PDFObject) ? (value as T) : undefined;
  }

  /** Object numbers whose newest definition is not the one of `earlier` (a reader over an earlier revision of this file). */
  changedSince(earlier: PdfReader): number[] {
    const changed: number[] = [];
    for (let n = 1; n < this.trailer.Size; n++) {
      const now = this.entry(n);
      if (!now || now.kind === "free") continue;
      const then = earlier.entry(n);
      const same =
        then?.kind === now.kind &&
        (now.kind === "offset" ? now.offset === (then as typeof now).offset : now.stream === (then as typeof now).stream && now.index === (then as typeof now).index);
      if (!same) changed.push(n);
    }
    return changed;
  }

  private objectStream(streamNumber: number): { data: Uint8Array; offsets: Map<number, number> } {
    let objStm = this.objectStreams.get(streamNumber);
    if (!objStm) {
      const stream = this.lookup(PDFRef.of(streamNumber, 0));
      if (!(stream instanceof PDFRawStream)) throw new XrefError(`object stream ${streamNumber} is missing`);
      const data = decodeStructuralStream(stream);
      const n = stream.dict.lookup(PDFName.of("N"), PDFNumber).asNumber();
      const first = stream.dict.lookup(PDFName.of("First"), PDFNumber).asNumber();
      const offsets = new Map<number, number>();
      let pos = 0;
      for (let i = 0; i < n; i++) {
        let num: number, off: number;
        [num, pos] = readInt(data, skipWhite(data, pos));
        [off, pos] = readInt(data, skipWhite(data, pos));
        offsets.set(num, first + off);
      }
      objStm = { data, offsets };
      this.objectStreams.set(streamNumber, objStm);
    }
    return objStm;
  }
}

/** Newest value of each trailer key wins; /Size is the largest seen. */
function mergeTrailers(trailers: PDFDict[]): TrailerInfo {
  const pick = (key: string) => trailers.map((t) => t.get(PDFName.of(key))).find((v) => v !== undefined);
  const root = pick("Root");
  const id = pick("ID");
  return {
    Root: root instanceof PDFRef ? root : undefined,
    Info: pick("Info"),
    ID: id instanceof PDFArray ? id : undefined,
    Encrypt: pick("Encrypt"),
    Size: Math.max(...trailers.map((t) => t.lookupMaybe(PDFName.of("Size"), PDFNumber)?.asNumber() ?? 0)),
  };
}
