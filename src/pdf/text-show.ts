/**
 * A line of one face shown on a page with pdf-lib's own operators. pdf-lib's `page.drawText` adds
 * a new font resource to the page at each call (a random name, checked against the page's
 * others) and formats each glyph's code digit by digit: together half the time of drawing a
 * certificate page. Here a page names each face once, and a glyph's code is formatted once.
 * The operators are those `drawText` writes for one line, less its line height and next line,
 * which a single line does not use.
 */
import {
  beginText,
  endText,
  PDFHexString,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  showText,
  type PDFFont,
  type PDFName,
  type PDFPage,
  type RGB,
} from "pdf-lib";

/** What pdf-lib's subset embedder keeps of the glyphs a document's text uses. */
interface SubsetEmbedder {
  font: { layout(text: string, features: unknown): { glyphs: { id: number }[] } };
  fontFeatures: unknown;
  subset: { includeGlyph(glyph: { id: number }): number };
  glyphs: { id: number }[];
  glyphIdMap: Map<number, number>;
  glyphCache: { invalidate(): void };
}

const BLACK = rgb(0, 0, 0);
const fontNames = new WeakMap<PDFPage, Map<PDFFont, PDFName>>();
const glyphCodes: string[] = [];

/** The page's resource name for a face, added at its first use on the page. */
function fontName(page: PDFPage, font: PDFFont): PDFName {
  let names = fontNames.get(page);
  if (!names) fontNames.set(page, (names = new Map()));
  let name = names.get(font);
  if (!name) names.set(font, (name = page.node.newFontDictionary(font.name, font.ref)));
  return name;
}

/** A glyph's code in the subset, four hex digits as pdf-lib writes it. */
const glyphCode = (id: number) => (glyphCodes[id] ??= id.toString(16).toUpperCase().padStart(4, "0"));

/** The text as glyph codes of the face's subset: pdf-lib's `encodeText`, step for step, with each code formatted once. */
export function encodeText(font: PDFFont, text: string): PDFHexString {
  const embedder = (font as unknown as { embedder: SubsetEmbedder }).embedder;
  if (!("subset" in embedder)) return font.encodeText(text);
  const { glyphs } = embedder.font.layout(text, embedder.fontFeatures);
  let codes = "";
  for (const glyph of glyphs) {
    const id = embedder.subset.includeGlyph(glyph);
    embedder.glyphs[id - 1] = glyph;
    embedder.glyphIdMap.set(glyph.id, id);
    codes += glyphCode(id);
  }
  embedder.glyphCache.invalidate();
  return PDFHexString.of(codes);
}

/** Shows `text` in one face, its baseline starting at (x, y). */
export function showLine(page: PDFPage, text: string, at: { x: number; y: number; font: PDFFont; size: number; color?: RGB }): void {
  page.pushOperators(
    pushGraphicsState(),
    beginText(),
    setFillingColor(at.color ?? BLACK),
    setFontAndSize(fontName(page, at.font), at.size),
    setTextMatrix(1, 0, 0, 1, at.x, at.y),
    showText(encodeText(at.font, text)),
    endText(),
    popGraphicsState(),
  );
}
