/**
 * Fonts and text measurement for everything Certyneo draws into PDFs.
 *
 * Every string a user controls (names, subjects, field values, user agents)
 * goes through an embedded Unicode TrueType font, never a standard 14 font:
 * those only speak WinAnsi and throw on "Γιώργος" or "Юлия". Fonts are
 * embedded as subsets, so a stamp costs a few kilobytes, not the whole face.
 *
 * The font files are imported with `type: "file"` so that `bun build
 * --compile` embeds them in the executable; at run time the import is a path
 * `Bun.file` can read, in the source tree and in the binary alike.
 */
import fontkit from "@pdf-lib/fontkit";
import type { PDFDocument, PDFFont } from "pdf-lib";
import sansPath from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "file" };
import sansBoldPath from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf" with { type: "file" };
import monoPath from "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf" with { type: "file" };
import serifItalicPath from "dejavu-fonts-ttf/ttf/DejaVuSerif-Italic.ttf" with { type: "file" };
import scriptPath from "@expo-google-fonts/marck-script/400Regular/MarckScript_400Regular.ttf" with { type: "file" };

export interface FontSet {
  /** Body text. */
  sans: PDFFont;
  /** Headings and labels. */
  bold: PDFFont;
  /** Hashes and identifiers, where aligned digits help a reader compare. */
  mono: PDFFont;
  /**
   * Typed signatures: Marck Script (Latin, Latin Extended, Cyrillic). Great
   * Vibes and Caveat were tried: @pdf-lib/fontkit's subsetter garbles them.
   */
  script: PDFFont;
  /** Typed signatures the script face cannot write (Greek, Vietnamese...): an italic that still reads as handwriting. */
  scriptFallback: PDFFont;
}

/** Ascent and descent as fractions of the font size (descent positive). */
export interface VerticalMetrics {
  ascent: number;
  descent: number;
}

/** Text that fits a box: the size chosen and the lines at that size. */
export interface FittedText {
  size: number;
  lines: string[];
}

/** Line height as a multiple of the font size, for every wrapped text. */
export const LINE_HEIGHT = 1.25;

const REPLACEMENT = "\uFFFD";
const ELLIPSIS = "\u2026";

const fileBytes = new Map<string, Promise<Uint8Array>>();
const embedded = new WeakMap<PDFDocument, Promise<FontSet>>();
const characterSets = new WeakMap<PDFFont, Set<number>>();
const metrics = new WeakMap<PDFFont, VerticalMetrics>();
const advances = new WeakMap<PDFFont, Map<number, number>>();

function readFont(path: string): Promise<Uint8Array> {
  let bytes = fileBytes.get(path);
  if (!bytes) {
    bytes = Bun.file(path).bytes();
    fileBytes.set(path, bytes);
  }
  return bytes;
}

/**
 * OpenType features off for the text faces: pdf-lib discards glyph positions
 * (kerning, mark placement) anyway, yet fontkit computes them on every
 * drawText; shaping was most of the time spent on a long audit trail.
 * Without ligatures, a line's width is also exactly the sum of its characters'.
 */
const PLAIN_FEATURES = Object.fromEntries(
  ["ccmp", "locl", "rlig", "mark", "mkmk", "calt", "clig", "liga", "rclt", "curs", "kern"].map((tag) => [tag, false]),
);

async function embed(pdf: PDFDocument, path: string, shaping: "plain" | "full" = "plain"): Promise<PDFFont> {
  const bytes = await readFont(path);
  const font = await pdf.embedFont(bytes, { subset: true, features: shaping === "plain" ? PLAIN_FEATURES : undefined });
  // pdf-lib's heightAtSize({ descender: false }) subtracts an unscaled
  // descent, wrong for 2048-unit faces like DejaVu: read the metrics here.
  const face = fontkit.create(bytes);
  metrics.set(font, { ascent: face.ascent / face.unitsPerEm, descent: -face.descent / face.unitsPerEm });
  return font;
}

/**
 * The fonts of a document, embedded once however many renderers draw into it
 * (stamps, signature page and certificate share one revision).
 */
export function fontsFor(pdf: PDFDocument): Promise<FontSet> {
  let fonts = embedded.get(pdf);
  if (!fonts) {
    pdf.registerFontkit(fontkit);
    fonts = (async () => ({
      sans: await embed(pdf, sansPath),
      bold: await embed(pdf, sansBoldPath),
      mono: await embed(pdf, monoPath),
      script: await embed(pdf, scriptPath, "full"), // contextual forms make the handwriting
      scriptFallback: await embed(pdf, serifItalicPath),
    }))();
    embedded.set(pdf, fonts);
  }
  return fonts;
}

function characterSet(font: PDFFont): Set<number> {
  let set = characterSets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    characterSets.set(font, set);
  }
  return set;
}

function covers(font: PDFFont, text: string): boolean {
  const set = characterSet(font);
  for (const char of text) if (!set.has(char.codePointAt(0)!)) return false;
  return true;
}

/**
 * One line of text the font can draw: composed (NFC, so "e"+U+0308 becomes
 * one "ë" glyph: pdf-lib ignores mark positioning), control characters and
 * line breaks turned into spaces, invisible format characters (bidi marks,
 * zero-width joiners) dropped, and characters the font lacks replaced by
 * U+FFFD so a reader sees something is missing instead of a blank.
 */
export function printable(text: string, font: PDFFont): string {
  const set = characterSet(font);
  const fallback = set.has(REPLACEMENT.codePointAt(0)!) ? REPLACEMENT : "?";
  const cleaned = text.normalize("NFC").replace(/\p{Cf}/gu, "").replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, " ");
  let out = "";
  for (const char of cleaned) {
    out += set.has(char.codePointAt(0)!) ? char : fallback;
  }
  return out;
}

export function verticalMetrics(font: PDFFont): VerticalMetrics {
  const found = metrics.get(font);
  if (!found) throw new Error("verticalMetrics: font was not embedded by fontsFor()");
  return found;
}

/** The baseline that centres a line's ascent and descent in a slot [bottom, bottom + height]. */
export function centredBaseline(font: PDFFont, size: number, bottom: number, height: number): number {
  const { ascent, descent } = verticalMetrics(font);
  return bottom + (height - (ascent + descent) * size) / 2 + descent * size;
}

/**
 * Width of text as the sum of its characters' advances, each measured once.
 * pdf-lib's widthOfTextAtSize shapes the whole string every call (~0.2 ms),
 * which made wrapping a long audit trail take seconds.
 */
export function textWidth(font: PDFFont, text: string, size: number): number {
  let perFont = advances.get(font);
  if (!perFont) advances.set(font, (perFont = new Map()));
  let width = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    let advance = perFont.get(codePoint);
    if (advance === undefined) {
      advance = font.widthOfTextAtSize(char, 1);
      perFont.set(codePoint, advance);
    }
    width += advance;
  }
  return width * size;
}

/** Splits a word wider than `maxWidth` at character boundaries (hashes, user agents, URLs). */
function breakWord(word: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let width = 0;
  for (const char of word) {
    const advance = textWidth(font, char, size);
    if (piece && width + advance > maxWidth) {
      pieces.push(piece);
      piece = "";
      width = 0;
    }
    piece += char;
    width += advance;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Greedy word wrap. Explicit line breaks in the text are kept; words too long
 * for a line are broken rather than left to overflow the box.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = "";
    for (const word of printable(paragraph, font).split(/ +/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (textWidth(font, candidate, size) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      const pieces = breakWord(word, font, size, maxWidth);
      line = pieces.pop() ?? "";
      lines.push(...pieces);
    }
    lines.push(line);
  }
  return lines;
}

/** Cuts a line so that it ends with an ellipsis within `maxWidth`. */
export function truncate(line: string, font: PDFFont, size: number, maxWidth: number): string {
  if (textWidth(font, line, size) <= maxWidth) return line;
  const chars = [...line];
  while (chars.length && textWidth(font, chars.join("") + ELLIPSIS, size) > maxWidth) chars.pop();
  return chars.join("").trimEnd() + ELLIPSIS;
}

/**
 * The largest size in [minSize, maxSize] at which the wrapped text fits the
 * box. When even minSize is too big, the lines that fit are kept and the last
 * one ends with an ellipsis: a field value must never spill over the page.
 */
export function fitText(
  text: string,
  font: PDFFont,
  box: { width: number; height: number },
  sizes: { max: number; min: number },
): FittedText {
  const step = 0.5;
  for (let size = sizes.max; size >= sizes.min; size -= step) {
    const lines = wrapText(text, font, size, box.width);
    if (lines.length * size * LINE_HEIGHT <= box.height || (lines.length === 1 && size <= box.height)) {
      return { size, lines };
    }
  }
  const size = sizes.min;
  const lines = wrapText(text, font, size, box.width);
  const room = Math.max(1, Math.floor(box.height / (size * LINE_HEIGHT)));
  if (lines.length <= room) return { size, lines };
  const kept = lines.slice(0, room);
  kept[room - 1] = truncate(`${kept[room - 1]} ${lines[room].trim()}`, font, size, box.width);
  return { size, lines: kept };
}

/**
 * The face for a typed signature: the script face when it can write the
 * whole name, else the fallback face for all of it. A signature mixing two
 * hands (a Vietnamese "Nguyễn" in italic beside "Văn An" in script) looks
 * forged; one face per name does not.
 */
export function signatureFont(name: string, fonts: FontSet): PDFFont {
  return covers(fonts.script, name.replace(/\s+/g, "")) ? fonts.script : fonts.scriptFallback;
}
