/**
 * fontkit as pdf-lib uses it, made cheap to call for every sealed document (several faces per
 * document; most of a seal's CPU went into fontkit). What depends only on the font file is
 * computed once per file and thread and shared; what belongs to one document stays its own.
 * The package is frozen (@pdf-lib/fontkit 1.x): these are patches over its internals, each
 * checked against fontkit's own result by test/pdf/fontkit-shared.test.ts.
 */
import fontkit, { type Font } from "@pdf-lib/fontkit";
import { concatBytes } from "./bytes.ts";

/**
 * OpenType features off for the text faces: pdf-lib discards glyph positions
 * (kerning, mark placement) anyway, yet fontkit computes them on every
 * drawText; shaping was most of the time spent on a long audit trail.
 * Without ligatures, a line's width is also exactly the sum of its characters'.
 */
export const PLAIN_FEATURES = Object.fromEntries(
  ["ccmp", "locl", "rlig", "mark", "mkmk", "calt", "clig", "liga", "rclt", "curs", "kern"].map((tag) => [tag, false]),
);

/** A fontkit Font with the internals these patches use. */
type Face = Font & { _tables: object; _variationProcessor?: unknown };

/**
 * A face for one document:
 * - fontkit gets the file's ArrayBuffer: given a Uint8Array, its bundled Buffer polyfill copies
 *   the file byte by byte in JavaScript (a DejaVu face is 750 KB);
 * - the tables it decodes (cmap, metrics, GSUB/GPOS, names) are decoded once per file and
 *   thread and shared, read-only, by each document's own font object. The font objects stay
 *   one per embed: fontkit caches glyphs per object with the characters that made them, and
 *   a shared one gave later documents glyphs without their Unicode mapping.
 */
const decodedTables = new WeakMap<Uint8Array, object>();
export function parseFace(bytes: Uint8Array): Font {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  const face = fontkit.create(whole as unknown as Uint8Array) as Face;
  const tables = decodedTables.get(bytes);
  if (tables) face._tables = tables;
  else decodedTables.set(bytes, face._tables);
  face.layout = plainLayout(face.layout);
  shareGlyphWork(face);
  return face;
}

/** What pdf-lib's registerFontkit takes: fontkit, creating faces with parseFace. */
export const sharedFontkit: typeof fontkit = { ...fontkit, create: parseFace };

/**
 * Text fontkit lays out as the cmap says once the features are off: Latin, Greek, Cyrillic and the
 * characters every script shares. Other scripts get their own shaper (Arabic joins, Indic
 * reorders) or are reversed (right to left); default-ignorable characters are treated apart
 * (variation selectors pick a glyph, others become blank). Those are left to fontkit.
 */
const SIMPLE = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}\p{Script=Inherited}]*$/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * fontkit's layout, without the shaper for the plain faces: with every feature they have on by
 * default turned off (PLAIN_FEATURES), a layout of SIMPLE text is the cmap's glyph for each character, yet
 * fontkit builds a shaping plan at each call: a third of stamping went there, through pdf-lib's
 * encodeText and widthOfTextAtSize.
 */
function plainLayout(layout: Font["layout"]): Font["layout"] {
  return function (this: Font, text, features) {
    if (features !== PLAIN_FEATURES || typeof text !== "string" || !SIMPLE.test(text) || IGNORABLE.test(text)) return layout.call(this, text, features);
    const glyphs = [];
    for (const char of text) glyphs.push(this.glyphForCodePoint(char.codePointAt(0)!));
    return { glyphs } as unknown as ReturnType<Font["layout"]>;
  };
}

/** Per file (its shared tables), per glyph id: what a glyph's metrics and its subset entry are. */
function perFile<T>(cache: WeakMap<object, Map<number, T>>, face: Face): Map<number, T> {
  let map = cache.get(face._tables);
  if (!map) cache.set(face._tables, (map = new Map()));
  return map;
}

interface GlyphInternals {
  id: number;
  _font: Face;
  _metrics?: object;
  _getMetrics(): object;
  _decode(): { numberOfContours: number; components?: { glyphID: number; pos: number }[] } | null;
  _getTableMetrics(table: unknown): { advance: number; bearing: number };
}

interface SubsetInternals {
  encodeStream(): unknown;
  font: Face & {
    loca: { offsets: number[] };
    hmtx: unknown;
    directory: { tables: Record<string, { offset: number; length: number } | undefined> };
    stream: { buffer: Uint8Array };
    _getTableStream(tag: string): { pos: number; readBuffer(n: number): Uint8Array };
  };
  glyphs: number[];
  glyf: Uint8Array[];
  loca: { offsets: number[] };
  hmtx: { metrics: { advance: number; bearing: number }[] };
  offset: number;
  includeGlyph(gid: number): number;
  _addGlyph(gid: number): number;
}

/** A glyph as a TrueType subset writes it: its bytes (even length), the components a compound glyph points to, its metrics. */
interface SubsetGlyph {
  bytes: Uint8Array;
  components: { glyphID: number; pos: number }[] | null;
  advance: number;
  bearing: number;
}

const glyphMetrics = new WeakMap<object, Map<number, object>>();
const subsetGlyphs = new WeakMap<object, Map<number, SubsetGlyph>>();
const patched = new WeakSet<object>();

/**
 * Glyph work done once per file instead of once per document: fontkit decodes a glyph's whole
 * outline for its metrics (pdf-lib reads every glyph's advance) and again to copy it into a
 * subset. Faces with font variations keep fontkit's own path (their metrics depend on the instance).
 */
function shareGlyphWork(face: Face): void {
  const glyphProto = Object.getPrototypeOf(face.getGlyph(0)) as GlyphInternals;
  if (!patched.has(glyphProto)) {
    patched.add(glyphProto);
    const original = glyphProto._getMetrics;
    glyphProto._getMetrics = function (this: GlyphInternals) {
      if (this._metrics || this._font._variationProcessor) return original.call(this);
      const known = perFile(glyphMetrics, this._font);
      let metrics = known.get(this.id);
      if (!metrics) known.set(this.id, (metrics = original.call(this)));
      return (this._metrics = metrics);
    };
  }
  const subset = face.createSubset() as unknown as SubsetInternals & { glyphEncoder?: unknown };
  const subsetProto = Object.getPrototypeOf(subset) as SubsetInternals;
  // TrueType outlines only (a CFF subset writes its glyphs another way).
  if (!("glyphEncoder" in subset) || patched.has(subsetProto)) return;
  patched.add(subsetProto);
  // pdf-lib reads a subset through encodeStream only: fontkit's stream (and its encode) are kept for faces with variations.
  const fontkitEncodeStream = subsetProto.encodeStream;
  subsetProto.encodeStream = Object.assign(function (this: SubsetInternals) {
    return this.font._variationProcessor ? fontkitEncodeStream.call(this) : bytesStream(() => writeTrueTypeSubset(this));
  }, { fontkitEncodeStream });
  const original = subsetProto._addGlyph;
  subsetProto._addGlyph = function (this: SubsetInternals, gid: number) {
    if (this.font._variationProcessor) return original.call(this, gid);
    const known = perFile(subsetGlyphs, this.font);
    let glyph = known.get(gid);
    if (!glyph) known.set(gid, (glyph = readSubsetGlyph(this, gid)));
    let bytes = glyph.bytes;
    if (glyph.components) {
      // A compound glyph names its components by id: ids in this subset, written into a copy.
      const FontkitBuffer = bytes.constructor as unknown as { from(b: Uint8Array): Uint8Array & { writeUInt16BE(v: number, at: number): void } };
      const own = FontkitBuffer.from(bytes);
      for (const component of glyph.components) own.writeUInt16BE(this.includeGlyph(component.glyphID), component.pos);
      bytes = own;
    }
    this.glyf.push(bytes);
    this.loca.offsets.push(this.offset);
    this.hmtx.metrics.push({ advance: glyph.advance, bearing: glyph.bearing });
    this.offset += bytes.length;
    return this.glyf.length - 1;
  };
}

/**
 * A glyph's entry read from the file, as fontkit's _addGlyph reads it, padded to an even
 * length: fontkit writes a subset's glyphs back to back and, for a subset under 64 KB, a short
 * `loca` table, which stores offsets halved: after a glyph of odd length, every later glyph of
 * the subset pointed one byte off and drew nothing (most CJK glyphs, some script faces).
 */
function readSubsetGlyph(subset: SubsetInternals, gid: number): SubsetGlyph {
  const { font } = subset;
  const glyph = font.getGlyph(gid) as unknown as GlyphInternals;
  const start = font.loca.offsets[gid]!;
  const stream = font._getTableStream("glyf");
  stream.pos += start;
  let bytes = stream.readBuffer(font.loca.offsets[gid + 1]! - start);
  if (bytes.length % 2) {
    // fontkit's own Buffer class (its encoder refuses any other)
    const FontkitBuffer = bytes.constructor as unknown as { concat(list: Uint8Array[]): Uint8Array; alloc(n: number): Uint8Array };
    bytes = FontkitBuffer.concat([bytes, FontkitBuffer.alloc(1)]);
  }
  // An empty glyph (a space) has no outline; a compound one (numberOfContours < 0) lists its components.
  const compound = bytes.length >= 2 && ((bytes[0]! << 8) | bytes[1]!) & 0x8000;
  const { advance, bearing } = glyph._getTableMetrics(font.hmtx);
  return { bytes, components: compound ? (glyph._decode()?.components ?? []) : null, advance, bearing };
}

type StreamEvents = { data: (bytes: Uint8Array) => void; end: () => void; error: (error: unknown) => void };

/**
 * What pdf-lib reads of a subset's stream (its data, end and error events), the subset written
 * on a microtask. fontkit's own stream steps through its bundled `process.nextTick`, a
 * setTimeout(0) each: a PDF thread sat idle ~1 ms several times per face, more than half of
 * stamping a small document.
 */
function bytesStream(write: () => Uint8Array) {
  const handlers: { [E in keyof StreamEvents]: StreamEvents[E][] } = { data: [], end: [], error: [] };
  const stream = {
    on<E extends keyof StreamEvents>(event: E, handler: StreamEvents[E]) {
      handlers[event]?.push(handler);
      return stream;
    },
  };
  queueMicrotask(() => {
    let bytes: Uint8Array;
    try {
      bytes = write();
    } catch (e) {
      for (const handler of handlers.error) handler(e);
      return;
    }
    for (const handler of handlers.data) handler(bytes);
    for (const handler of handlers.end) handler();
  });
  return stream;
}

/** The tables a subset copies from its file, as fontkit writes them back (see writeTrueTypeSubset). */
interface CopiedTables {
  head: Uint8Array;
  hhea: Uint8Array;
  maxp: Uint8Array;
  /** cvt, prep and fpgm, when the file has them. */
  programs: Map<string, Uint8Array>;
}
const copiedTables = new WeakMap<object, CopiedTables>();

function copiedTablesOf(font: SubsetInternals["font"]): CopiedTables {
  let copied = copiedTables.get(font._tables);
  if (copied) return copied;
  const raw = (tag: string, length?: number) => {
    const entry = font.directory.tables[tag];
    if (!entry) return null;
    // A copy: the file's bytes are fontkit's Buffer, whose slice() is a view.
    const bytes = new Uint8Array(font.stream.buffer.subarray(entry.offset, entry.offset + (length ?? entry.length)));
    if (length !== undefined && bytes.length !== length) throw new Error(`font table ${tag} is shorter than ${length} bytes`);
    return bytes;
  };
  const head = raw("head", 54)!;
  // macStyle: the 7 flags fontkit knows, the rest written as 0.
  head[44] = 0;
  head[45] = head[45]! & 0x7f;
  const hhea = raw("hhea", 36)!;
  hhea.fill(0, 24, 32); // reserved
  const programs = new Map<string, Uint8Array>();
  for (const tag of ["cvt ", "prep", "fpgm"]) {
    const bytes = raw(tag);
    // cvt is a list of 16-bit values: a stray last byte is not one.
    if (bytes) programs.set(tag, tag === "cvt " ? bytes.subarray(0, bytes.length & ~1) : bytes);
  }
  copied = { head, hhea, maxp: raw("maxp", 32)!, programs };
  copiedTables.set(font._tables, copied);
  return copied;
}

/**
 * A TrueType subset as fontkit's TTFSubset.encode writes it (byte for byte: a test compares
 * both), without its generic structure encoder, which cost ~2 ms per face and document: the
 * directory, then head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm back to back. The
 * tables copied from the file are read once per file; only the counts that depend on the
 * subset are written into them.
 */
function writeTrueTypeSubset(subset: SubsetInternals): Uint8Array {
  subset.glyf = [];
  subset.offset = 0;
  subset.loca = { offsets: [] };
  subset.hmtx = { metrics: [] };
  // A compound glyph adds its components to subset.glyphs while this runs.
  for (let i = 0; i < subset.glyphs.length; i++) subset._addGlyph(subset.glyphs[i]!);
  const count = subset.glyf.length;
  const offsets = [...subset.loca.offsets, subset.offset];
  const longOffsets = subset.offset > 0xffff;
  const { head, hhea, maxp, programs } = copiedTablesOf(subset.font);

  const tables: [string, Uint8Array][] = [];
  const table = (tag: string, bytes: Uint8Array) => tables.push([tag, bytes]);
  const headOut = new Uint8Array(head);
  new DataView(headOut.buffer).setInt16(50, longOffsets ? 1 : 0); // indexToLocFormat
  table("head", headOut);
  const hheaOut = new Uint8Array(hhea);
  new DataView(hheaOut.buffer).setUint16(34, count); // numberOfMetrics
  table("hhea", hheaOut);
  const loca = new DataView(new ArrayBuffer(offsets.length * (longOffsets ? 4 : 2)));
  offsets.forEach((offset, i) => (longOffsets ? loca.setUint32(i * 4, offset) : loca.setUint16(i * 2, offset >>> 1)));
  table("loca", new Uint8Array(loca.buffer));
  const maxpOut = new Uint8Array(maxp);
  new DataView(maxpOut.buffer).setUint16(4, count); // numGlyphs
  table("maxp", maxpOut);
  if (programs.has("cvt ")) table("cvt ", programs.get("cvt ")!);
  if (programs.has("prep")) table("prep", programs.get("prep")!);
  table("glyf", concatBytes(subset.glyf));
  const hmtx = new DataView(new ArrayBuffer(count * 4));
  subset.hmtx.metrics.forEach(({ advance, bearing }, i) => {
    hmtx.setUint16(i * 4, advance);
    hmtx.setInt16(i * 4 + 2, bearing);
  });
  table("hmtx", new Uint8Array(hmtx.buffer));
  if (programs.has("fpgm")) table("fpgm", programs.get("fpgm")!);

  // The directory: fontkit writes "true" as the version, no checksums, and the tables unpadded in this order.
  const directorySize = 12 + 16 * tables.length;
  const out = new Uint8Array(directorySize + tables.reduce((sum, [, bytes]) => sum + bytes.length, 0));
  const view = new DataView(out.buffer);
  const power = 2 ** Math.floor(Math.log2(tables.length));
  out.set(Buffer.from("true", "latin1"), 0);
  view.setUint16(4, tables.length);
  view.setUint16(6, power * 16);
  view.setUint16(8, Math.log2(power));
  view.setUint16(10, tables.length * 16 - power * 16);
  let at = directorySize;
  tables.forEach(([tag, bytes], i) => {
    out.set(Buffer.from(tag, "latin1"), 12 + i * 16);
    view.setUint32(12 + i * 16 + 8, at);
    view.setUint32(12 + i * 16 + 12, bytes.length);
    out.set(bytes, at);
    at += bytes.length;
  });
  return out;
}
