/**
 * The text of a page as positioned glyphs, read from its content stream with the text state
 * the PDF specification defines (Tm, Tc, Tw, Tz, TL, Ts, Tf, cm, q/Q), each glyph tied to the
 * operation and position that showed it, so a caller can find text and then remove exactly
 * those glyphs. Form XObjects the page draws are read where they are drawn (their /Matrix and
 * the CTM of their Do, nested up to MAX_FORM_DEPTH), once per use, and so are the normal
 * appearances of the page's widget and free-text annotations (placed on their /Rect).
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFName, PDFNumber, type PDFPage, PDFRawStream, PDFRef, PDFStream } from "pdf-lib";
import { Name, type Operand, type Operation, parseContentStream } from "./content-stream";
import { fontReader, type FontReader } from "./font-reader";

type Matrix = [number, number, number, number, number, number];

/** `dict[key]`, resolved, when it is a `type` (pdf-lib's lookupMaybe throws on any other: a malformed file must not stop the reading). */
export function entry<T>(dict: PDFDict | undefined, key: string, type: Function & { prototype: T }): T | undefined {
  const value = dict?.get(PDFName.of(key));
  const resolved = value instanceof PDFRef ? dict!.context.lookup(value) : value;
  return resolved instanceof type ? (resolved as T) : undefined;
}
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
  /** Index of the stream in PageText.streams. */
  stream: number;
  /** Index of the operation in that stream's ops. */
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

/** Where a form XObject's stream was drawn from: a Do of another stream, or an annotation's normal appearance. */
export type DrawnBy =
  | { kind: "do"; stream: number; op: number; form: PDFStream }
  | { kind: "annotation"; annotation: PDFDict; form: PDFStream };

/** One content stream as read: the page's own (the first), or a form XObject at one of its uses. */
export interface TextStream {
  content: Uint8Array;
  ops: Operation[];
  /** The state of each text-showing operation, by operation index. */
  shows: Map<number, ShowState>;
  /** The resources its operations name (a form without its own uses those of where it is drawn). */
  resources: PDFDict | undefined;
  drawnBy: DrawnBy | null;
}

export interface PageText {
  streams: TextStream[];
  /** Every glyph in the order it is drawn: a form's glyphs where its Do is, annotations' after the page. */
  glyphs: PlacedGlyph[];
}

/** Forms inside forms are read this deep; deeper ones (and forms drawing themselves) are not read. */
export const MAX_FORM_DEPTH = 8;
/** Form uses read per page at most: a small form drawn a thousand times, or forms drawing each other twice at every level, stay cheap. */
export const MAX_FORM_USES = 500;

/** A page's content streams, decoded and joined as the specification reads them (one stream). */
export function pageContent(page: PDFPage): Uint8Array {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => page.doc.context.lookup(r)) : [contents];
  return Buffer.concat(streams.flatMap((s) => [decoded(s), Buffer.from("\n")]));
}

function decoded(s: unknown): Uint8Array {
  return s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : s instanceof PDFStream ? s.getContents() : new Uint8Array();
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

/** Form content by stream: a form drawn many times is decoded and parsed once. */
const parsedForms = new WeakMap<PDFStream, { content: Uint8Array; ops: Operation[] } | null>();

function parsedForm(form: PDFStream): { content: Uint8Array; ops: Operation[] } | null {
  if (!parsedForms.has(form)) {
    let parsed = null;
    try {
      const content = decoded(form);
      parsed = { content, ops: parseContentStream(content) };
    } catch {
      // A form whose content cannot be decoded draws no text this reader can see.
    }
    parsedForms.set(form, parsed);
  }
  return parsedForms.get(form)!;
}

const matrixOf = (dict: PDFDict, key: string): Matrix | null => {
  const values = entry(dict, key, PDFArray)?.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN));
  return values?.length === 6 && values.every(Number.isFinite) ? (values as Matrix) : null;
};

interface GraphicsState { ctm: Matrix; font: FontReader | null; size: number; charSpace: number; wordSpace: number; hScale: number; leading: number; rise: number }

const INITIAL: GraphicsState = { ctm: IDENTITY, font: null, size: 0, charSpace: 0, wordSpace: 0, hScale: 1, leading: 0, rise: 0 };

export function readPageText(page: PDFPage): PageText {
  const streams: TextStream[] = [];
  const glyphs: PlacedGlyph[] = [];
  let formUses = 0;

  /** Reads one stream (with the graphics state it starts with); `path`: the forms it is drawn inside. */
  function read(stream: Omit<TextStream, "shows">, start: GraphicsState, path: readonly PDFStream[]) {
    const streamIndex = streams.push({ ...stream, shows: new Map() }) - 1;
    const { ops, resources } = stream;
    const shows = streams[streamIndex]!.shows;
    const fontDict = entry(resources, "Font", PDFDict);
    const xobjects = entry(resources, "XObject", PDFDict);
    const fontNamed = (name: string): FontReader | null => {
      const dict = entry(fontDict, name, PDFDict);
      return dict ? cachedReader(dict) : null;
    };
    let g: GraphicsState = { ...start };
    const stack: GraphicsState[] = [];
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;
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
        case "Do": {
          const name = o.operands[0];
          const form = name instanceof Name ? entry(xobjects, name.name, PDFStream) : undefined;
          if (form) drawForm(form, g, path, { kind: "do", stream: streamIndex, op: opIndex, form }, resources);
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
          glyphs.push({ text: glyph.text, stream: streamIndex, op: opIndex, index: index++, trm: multiply(text, g.ctm), width: glyph.width, ascent: font.ascent, descent: font.descent });
          // Moving along the baseline only changes the translation.
          const advance = (glyph.width * g.size + g.charSpace + (glyph.wordSpace ? g.wordSpace : 0)) * g.hScale;
          tm = [a, b, c, d, advance * a + e, advance * b + f];
        }
      }
    });
  }

  /**
   * A form XObject drawn with the state `g` (its /Matrix then the CTM): read as a stream of its
   * own, with the graphics state it inherits (the caller's state is left as it was), and its own
   * resources, else those of where it is drawn.
   */
  function drawForm(form: PDFStream, g: GraphicsState, path: readonly PDFStream[], drawnBy: DrawnBy, inherited: PDFDict | undefined) {
    if (form.dict.get(PDFName.of("Subtype")) !== PDFName.of("Form")) return; // an image
    if (path.length >= MAX_FORM_DEPTH || path.includes(form) || formUses >= MAX_FORM_USES) return;
    const parsed = parsedForm(form);
    if (!parsed) return;
    formUses++;
    const resources = entry(form.dict, "Resources", PDFDict) ?? inherited;
    const ctm = multiply(matrixOf(form.dict, "Matrix") ?? IDENTITY, g.ctm);
    read({ ...parsed, resources, drawnBy }, { ...g, ctm }, [...path, form]);
  }

  read({ ...parsedPage(page), resources: page.node.Resources(), drawnBy: null }, INITIAL, []);
  for (const { annotation, appearance, matrix } of annotationAppearances(page)) {
    drawForm(appearance, { ...INITIAL, ctm: matrix }, [], { kind: "annotation", annotation, form: appearance }, undefined);
  }
  return { streams, glyphs };
}

function parsedPage(page: PDFPage) {
  const content = pageContent(page);
  return { content, ops: parseContentStream(content) };
}

/** Annotations whose normal appearance may carry text a viewer shows on the page as if it were page text. */
const TEXT_ANNOTATIONS = new Set(["Widget", "FreeText"]);
/** Annotation flags: Invisible (1) and Hidden (2): not shown, so not read. */
const NOT_SHOWN = 1 | 2;

/**
 * The normal appearance of each visible widget and free-text annotation, with the matrix that
 * places it on the page (PDF 32000-1 12.5.5: the form's BBox, through its /Matrix, fitted to /Rect).
 */
function annotationAppearances(page: PDFPage): { annotation: PDFDict; appearance: PDFStream; matrix: Matrix }[] {
  const annots = entry(page.node, "Annots", PDFArray);
  const out: { annotation: PDFDict; appearance: PDFStream; matrix: Matrix }[] = [];
  for (let i = 0; i < (annots?.size() ?? 0); i++) {
    const annotation = annots!.lookup(i);
    if (!(annotation instanceof PDFDict)) continue;
    const subtype = annotation.get(PDFName.of("Subtype"));
    if (!(subtype instanceof PDFName) || !TEXT_ANNOTATIONS.has(subtype.decodeText())) continue;
    const flags = entry(annotation, "F", PDFNumber)?.asNumber() ?? 0;
    if (flags & NOT_SHOWN) continue;
    const appearance = normalAppearance(annotation);
    const rect = rectOf(annotation);
    const bbox = appearance && rectOf(appearance.dict, "BBox");
    if (!appearance || !rect || !bbox) continue;
    const formMatrix = matrixOf(appearance.dict, "Matrix") ?? IDENTITY;
    // The BBox as the form's matrix turns it, then scaled and moved onto the Rect.
    const corners = [[bbox[0], bbox[1]], [bbox[2], bbox[1]], [bbox[2], bbox[3]], [bbox[0], bbox[3]]].map((p) => apply(formMatrix, p as Point));
    const [x0, y0] = [Math.min(...corners.map((c) => c[0])), Math.min(...corners.map((c) => c[1]))];
    const [x1, y1] = [Math.max(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[1]))];
    if (x1 - x0 <= 0 || y1 - y0 <= 0) continue;
    const sx = (rect[2] - rect[0]) / (x1 - x0);
    const sy = (rect[3] - rect[1]) / (y1 - y0);
    // The form's own /Matrix is applied when the form is read: here only the fit onto the Rect.
    out.push({ annotation, appearance, matrix: [sx, 0, 0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy] });
  }
  return out;
}

/** The annotation's normal appearance: /AP /N, or the state /AS names among several. */
function normalAppearance(annotation: PDFDict): PDFStream | undefined {
  const ap = entry(annotation, "AP", PDFDict);
  const state = annotation.get(PDFName.of("AS"));
  return entry(ap, "N", PDFStream) ?? (state instanceof PDFName ? entry(entry(ap, "N", PDFDict), state.decodeText(), PDFStream) : undefined);
}

/** A rectangle array (/Rect, /BBox) as [llx lly urx ury], normalised. */
function rectOf(dict: PDFDict, key = "Rect"): [number, number, number, number] | null {
  const v = entry(dict, key, PDFArray)?.asArray().map((x) => (x instanceof PDFNumber ? x.asNumber() : NaN));
  if (v?.length !== 4 || !v.every(Number.isFinite)) return null;
  return [Math.min(v[0]!, v[2]!), Math.min(v[1]!, v[3]!), Math.max(v[0]!, v[2]!), Math.max(v[1]!, v[3]!)];
}
