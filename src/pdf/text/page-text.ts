/**
 * The text of a page as positioned glyphs, read from its content stream with the text state
 * the PDF specification defines (Tm, Tc, Tw, Tz, TL, Ts, Tf, cm, q/Q), each glyph tied to the
 * operation and position that showed it, so a caller can find text and then remove exactly
 * those glyphs. Text inside form XObjects is not read.
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFName, type PDFPage, PDFRawStream, PDFRef, PDFStream } from "pdf-lib";
import { Name, type Operand, type Operation, parseContentStream } from "./content-stream";
import { fontReader, type FontReader } from "./font-reader";

type Matrix = [number, number, number, number, number, number];
export type Point = [number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** m1 × m2 (apply m1 first). */
export const multiply = (m1: Matrix, m2: Matrix): Matrix => [
  m1[0] * m2[0] + m1[1] * m2[2], m1[0] * m2[1] + m1[1] * m2[3],
  m1[2] * m2[0] + m1[3] * m2[2], m1[2] * m2[1] + m1[3] * m2[3],
  m1[4] * m2[0] + m1[5] * m2[2] + m2[4], m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
];
export const apply = (m: Matrix, [x, y]: Point): Point => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** The text state a text-showing operation ran with: what removing its glyphs needs. */
export interface ShowState {
  font: FontReader;
  size: number;
  charSpace: number;
  wordSpace: number;
  /** Horizontal scaling as a factor (Tz / 100). */
  hScale: number;
}

export interface PlacedGlyph {
  text: string;
  /** Index of the operation in PageText.ops. */
  op: number;
  /** Index of the glyph among the glyphs that operation shows. */
  index: number;
  /** Glyph space (1 em) to user space. */
  trm: Matrix;
  width: number;
  ascent: number;
  descent: number;
}

/** The glyph's box corners in the page's user space (computed only for the glyphs a caller keeps). */
export const glyphQuad = (g: PlacedGlyph): Point[] =>
  ([[0, g.descent], [g.width, g.descent], [g.width, g.ascent], [0, g.ascent]] as Point[]).map((c) => apply(g.trm, c));

export interface PageText {
  content: Uint8Array;
  ops: Operation[];
  glyphs: PlacedGlyph[];
  /** The state of each text-showing operation, by operation index. */
  shows: Map<number, ShowState>;
}

/** A page's content streams, decoded and joined as the specification reads them (one stream). */
export function pageContent(page: PDFPage): Uint8Array {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => page.doc.context.lookup(r)) : [contents];
  const parts = streams.map((s) => (s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : s instanceof PDFStream ? s.getContents() : new Uint8Array()));
  return Buffer.concat(parts.flatMap((p) => [p, Buffer.from("\n")]));
}

/** The strings and adjustments of a text-showing operation. */
export function shownParts(o: Operation): (Uint8Array | number)[] {
  if (o.op === "TJ") return ((o.operands[0] as Operand[]) ?? []).filter((x): x is Uint8Array | number => x instanceof Uint8Array || typeof x === "number");
  const s = o.operands.at(-1);
  return s instanceof Uint8Array ? [s] : [];
}

const SHOW = new Set(["Tj", "TJ", "'", "\""]);
const numberAt = (o: Operation, i: number) => (typeof o.operands[i] === "number" ? (o.operands[i] as number) : 0);

/** Readers by font dictionary: pages that share a font read it once. */
const readers = new WeakMap<PDFDict, FontReader | null>();

function cachedReader(dict: PDFDict): FontReader | null {
  if (!readers.has(dict)) {
    let reader: FontReader | null = null;
    try {
      reader = fontReader(dict);
    } catch {
      // A font this reader cannot make sense of: its text is skipped, the rest of the page is read.
    }
    readers.set(dict, reader);
  }
  return readers.get(dict)!;
}

export function readPageText(page: PDFPage): PageText {
  const content = pageContent(page);
  const ops = parseContentStream(content);
  const fontDict = page.node.Resources()?.lookupMaybe(PDFName.of("Font"), PDFDict);
  const fontNamed = (name: string): FontReader | null => {
    const raw = fontDict?.get(PDFName.of(name));
    const dict = raw instanceof PDFRef ? page.doc.context.lookup(raw) : raw;
    return dict instanceof PDFDict ? cachedReader(dict) : null;
  };

  interface State { ctm: Matrix; font: FontReader | null; size: number; charSpace: number; wordSpace: number; hScale: number; leading: number; rise: number }
  let g: State = { ctm: IDENTITY, font: null, size: 0, charSpace: 0, wordSpace: 0, hScale: 1, leading: 0, rise: 0 };
  const stack: State[] = [];
  let tm: Matrix = IDENTITY;
  let tlm: Matrix = IDENTITY;
  const glyphs: PlacedGlyph[] = [];
  const shows = new Map<number, ShowState>();
  const moveLine = (tx: number, ty: number) => {
    tlm = multiply([1, 0, 0, 1, tx, ty], tlm);
    tm = tlm;
  };

  ops.forEach((o, opIndex) => {
    switch (o.op) {
      case "q": stack.push({ ...g }); return;
      case "Q": g = stack.pop() ?? g; return;
      case "cm": g.ctm = multiply(o.operands.map(Number) as Matrix, g.ctm); return;
      case "BT": tm = tlm = IDENTITY; return;
      case "Td": moveLine(numberAt(o, 0), numberAt(o, 1)); return;
      case "TD": g.leading = -numberAt(o, 1); moveLine(numberAt(o, 0), numberAt(o, 1)); return;
      case "Tm": tm = tlm = o.operands.map(Number) as Matrix; return;
      case "T*": moveLine(0, -g.leading); return;
      case "Tc": g.charSpace = numberAt(o, 0); return;
      case "Tw": g.wordSpace = numberAt(o, 0); return;
      case "Tz": g.hScale = numberAt(o, 0) / 100; return;
      case "TL": g.leading = numberAt(o, 0); return;
      case "Ts": g.rise = numberAt(o, 0); return;
      case "Tf": {
        const name = o.operands[0];
        g.font = name instanceof Name ? fontNamed(name.name) : null;
        g.size = numberAt(o, 1);
        return;
      }
    }
    if (!SHOW.has(o.op)) return;
    if (o.op === "'" || o.op === "\"") {
      if (o.op === "\"") {
        g.wordSpace = numberAt(o, 0);
        g.charSpace = numberAt(o, 1);
      }
      moveLine(0, -g.leading);
    }
    const font = g.font;
    if (!font) return;
    shows.set(opIndex, { font, size: g.size, charSpace: g.charSpace, wordSpace: g.wordSpace, hScale: g.hScale });
    let index = 0;
    for (const part of shownParts(o)) {
      if (typeof part === "number") {
        tm = multiply([1, 0, 0, 1, (-part / 1000) * g.size * g.hScale, 0], tm);
        continue;
      }
      const sh = g.size * g.hScale;
      for (const glyph of font.decode(part)) {
        // Glyph space (1 em) -> text space ([Tfs·Th 0 0 Tfs 0 Ts] × Tm) -> user space (× CTM).
        const [a, b, c, d, e, f] = tm;
        const text: Matrix = [sh * a, sh * b, g.size * c, g.size * d, g.rise * c + e, g.rise * d + f];
        glyphs.push({ text: glyph.text, op: opIndex, index: index++, trm: multiply(text, g.ctm), width: glyph.width, ascent: font.ascent, descent: font.descent });
        // Moving along the baseline only changes the translation.
        const advance = (glyph.width * g.size + g.charSpace + (glyph.wordSpace ? g.wordSpace : 0)) * g.hScale;
        tm = [a, b, c, d, advance * a + e, advance * b + f];
      }
    }
  });
  return { content, ops, glyphs, shows };
}
