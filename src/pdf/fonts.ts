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
import { PDFHexString, PDFName, PDFOperator, PDFOperatorNames as Ops, type PDFDocument, type PDFFont, type PDFPage, type RGB } from "pdf-lib";
import sansPath from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "file" };
import sansBoldPath from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf" with { type: "file" };
import monoPath from "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf" with { type: "file" };
import serifItalicPath from "dejavu-fonts-ttf/ttf/DejaVuSerif-Italic.ttf" with { type: "file" };
import scriptPath from "@expo-google-fonts/marck-script/400Regular/MarckScript_400Regular.ttf" with { type: "file" };
import arabicPath from "@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf" with { type: "file" };
import devanagariPath from "@expo-google-fonts/noto-sans-devanagari/400Regular/NotoSansDevanagari_400Regular.ttf" with { type: "file" };
import hebrewPath from "@expo-google-fonts/noto-sans-hebrew/400Regular/NotoSansHebrew_400Regular.ttf" with { type: "file" };
import cjkPath from "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf" with { type: "file" };
import hangulPath from "@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf" with { type: "file" };
import thaiPath from "@expo-google-fonts/noto-sans-thai/400Regular/NotoSansThai_400Regular.ttf" with { type: "file" };
import emojiPath from "@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf" with { type: "file" };
import type { Font } from "@pdf-lib/fontkit";
import bidiFactory from "bidi-js";
import { parseFace, PLAIN_FEATURES, sharedFontkit } from "./fontkit-shared.ts";
import { showLine } from "./text-show.ts";
import "./native-deflate.ts";
// fontkit's Indic shaper (Devanagari) is generator code compiled for a global regenerator runtime.
import "regenerator-runtime/runtime.js";

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
  /**
   * Faces for the scripts the DejaVu faces lack (Hebrew, Arabic, Devanagari, Thai, CJK, Hangul), embedded
   * into a document only when one of its texts needs them; every face above falls back to these.
   */
  fallbacks: PDFFont[];
}

/**
 * The Noto faces for scripts DejaVu does not cover, in the order they are tried. Each costs the
 * binary its file (Hebrew 48 KB, Arabic 190 KB, Devanagari 220 KB, Thai 47 KB, CJK 10.5 MB,
 * Korean 6.2 MB, emoji 0.9 MB) and a document only the glyphs it uses. Korean comes after CJK:
 * its Hangul is what the CJK face lacks, while Chinese and Japanese text keeps the CJK face's Han
 * forms. Emoji come last, in Noto Emoji's outlines (PDF fonts have no colour glyphs that every
 * reader draws): a signer who types "Ana 🌻" sees a sunflower in the sealed PDF, not U+FFFD.
 */
const FALLBACK_FACES = [hebrewPath, arabicPath, devanagariPath, thaiPath, cjkPath, hangulPath, emojiPath];

/** Ascent and descent as fractions of the font size (descent positive). */
export interface VerticalMetrics {
  ascent: number;
  descent: number;
}

const REPLACEMENT = "\uFFFD";

const fileBytes = new Map<string, Promise<Uint8Array>>();
const embedded = new WeakMap<PDFDocument, Promise<FontSet>>();
/** The fallback faces a document has embedded, by file. */
const embeddedFallbacks = new WeakMap<PDFDocument, Map<string, Promise<PDFFont>>>();
/** Which fonts a face falls back to: every face of a document shares its fallbacks. */
const fallbacksOf = new WeakMap<PDFFont, PDFFont[]>();
/**
 * Typed signatures the script face cannot write (Greek, Vietnamese...): an italic that still
 * reads as handwriting, embedded into a document only when one needs it (most never do, and
 * every embedded face costs a seal its subset).
 */
const scriptFallbacks = new WeakMap<PDFDocument, Promise<PDFFont>>();
/** What each fallback face covers, parsed once per process. */
const faceCoverage = new Map<string, Promise<Set<number>>>();
const rtlFonts = new WeakSet<PDFFont>();
/** The emoji face, whose ligatures join emoji sequences. */
const emojiFaces = new WeakSet<PDFFont>();
/** Faces whose shaper moves glyphs away from their characters' order. */
const reorderingFaces = new WeakSet<PDFFont>();
/** Faces laid out with their OpenType features (joins, reordering, contextual forms): measured as laid out. */
const shapedFaces = new WeakSet<PDFFont>();
const characterSets = new WeakMap<PDFFont, Set<number>>();
const metrics = new WeakMap<PDFFont, VerticalMetrics>();
const advances = new WeakMap<PDFFont, Map<number, number>>();
/** Each character's advance in a face (by file and shaping): the same in every document, measured once per process. */
const faceAdvances = new Map<string, Map<number, number>>();

function readFont(path: string): Promise<Uint8Array> {
  let bytes = fileBytes.get(path);
  if (!bytes) {
    bytes = Bun.file(path).bytes();
    fileBytes.set(path, bytes);
  }
  return bytes;
}

function coverage(path: string): Promise<Set<number>> {
  let set = faceCoverage.get(path);
  if (!set) {
    set = readFont(path).then((bytes) => new Set(parseFace(bytes).characterSet));
    faceCoverage.set(path, set);
  }
  return set;
}

async function embed(pdf: PDFDocument, path: string, shaping: "plain" | "full" = "plain"): Promise<PDFFont> {
  const bytes = await readFont(path);
  const font = await pdf.embedFont(bytes, { subset: true, features: shaping === "plain" ? PLAIN_FEATURES : undefined });
  if (shaping === "full") shapedFaces.add(font);
  // pdf-lib's heightAtSize({ descender: false }) subtracts an unscaled
  // descent, wrong for 2048-unit faces like DejaVu: read the metrics here, from the face pdf-lib parsed.
  const face = (font as unknown as { embedder: { font: Font } }).embedder.font;
  metrics.set(font, { ascent: face.ascent / face.unitsPerEm, descent: -face.descent / face.unitsPerEm });
  // What the face covers is the file's: a set per file, not one more per document.
  characterSets.set(font, await coverage(path));
  const key = `${shaping} ${path}`;
  if (!faceAdvances.has(key)) faceAdvances.set(key, new Map());
  advances.set(font, faceAdvances.get(key)!);
  return font;
}

/**
 * The fonts of a document, embedded once however many renderers draw into it
 * (stamps, signature page and certificate share one revision).
 */
export async function fontsFor(pdf: PDFDocument, texts: Iterable<string> = []): Promise<FontSet> {
  let pending = embedded.get(pdf);
  if (!pending) {
    pdf.registerFontkit(sharedFontkit);
    pending = (async () => ({
      sans: await embed(pdf, sansPath),
      bold: await embed(pdf, sansBoldPath),
      mono: await embed(pdf, monoPath),
      script: await embed(pdf, scriptPath, "full"), // contextual forms make the handwriting
      fallbacks: [],
    }))();
    embedded.set(pdf, pending);
  }
  const fonts = await pending;
  await addFallbacks(pdf, fonts, texts);
  return fonts;
}

/** Embeds the fallback faces `texts` need that the document lacks (shaped: Arabic joins, Devanagari reorders). */
async function addFallbacks(pdf: PDFDocument, fonts: FontSet, texts: Iterable<string>): Promise<void> {
  const own = characterSet(fonts.sans);
  const missing = new Set<number>();
  for (const text of texts) for (const char of text.normalize("NFC")) {
    const cp = char.codePointAt(0)!;
    if ((!own.has(cp) || needsOwnFace(cp)) && cp > 0x20) missing.add(cp);
  }
  if (!missing.size) return;
  let faces = embeddedFallbacks.get(pdf);
  if (!faces) embeddedFallbacks.set(pdf, (faces = new Map()));
  for (const path of FALLBACK_FACES) {
    const covered = await coverage(path);
    if (![...missing].some((cp) => covered.has(cp))) continue;
    for (const cp of [...missing]) if (covered.has(cp)) missing.delete(cp);
    if (faces.has(path)) continue;
    const face = embed(pdf, path, "full");
    faces.set(path, face);
    const font = await face;
    if (path === hebrewPath || path === arabicPath) rtlFonts.add(font);
    if (path === devanagariPath) reorderingFaces.add(font);
    if (path === emojiPath) emojiFaces.add(font);
    fonts.fallbacks.push(font);
  }
  for (const face of [fonts.sans, fonts.bold, fonts.mono, fonts.script]) fallbacksOf.set(face, fonts.fallbacks);
}

/** Every string inside `value` (names, subjects, values...), for fontsFor to know which scripts a document shows. */
export function textsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (!value.startsWith("data:")) out.push(value); // a drawn signature is an image
  }
  else if (Array.isArray(value)) for (const v of value) textsIn(v, out);
  else if (value && typeof value === "object" && !(value instanceof Uint8Array) && !(value instanceof Date)) for (const v of Object.values(value)) textsIn(v, out);
  return out;
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
 * An emoji sequence of more than one character (UTS #51): a pictograph with a skin tone or the
 * emoji presentation selector (U+FE0F), or pictographs joined by ZWJ ("👩🏽‍💻", "👨‍👩‍👧"). Noto
 * Emoji's ligatures draw each as one emoji; apart, they are drawn as their parts.
 */
const EMOJI_SEQUENCE = /\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?(?:\u200D\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?)+|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)/u;
/** Invisible format characters, except inside an emoji sequence (captured, to be kept). */
const INVISIBLE = new RegExp(`(${EMOJI_SEQUENCE.source})|[\\p{Cf}\\p{Default_Ignorable_Code_Point}]`, "gu");
/** What follows a pictograph to make an emoji of it: a skin tone, or U+FE0F. */
const EMOJI_PRESENTATION = /^[\p{Emoji_Modifier}\uFE0F]$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;

/**
 * One line of text the font can draw: composed (NFC, so "e"+U+0308 becomes
 * one "ë" glyph: pdf-lib ignores mark positioning), control characters and
 * line breaks turned into spaces, invisible format characters (bidi marks, zero-width
 * joiners, variation selectors) dropped except inside emoji sequences, and characters the font
 * lacks replaced by U+FFFD so a reader sees something is missing instead of a blank.
 */
export function printable(text: string, font: PDFFont): string {
  const set = characterSet(font);
  const fallback = set.has(REPLACEMENT.codePointAt(0)!) ? REPLACEMENT : "?";
  // Emoji sequences keep their joiners and selectors: the emoji face draws each as one emoji.
  const cleaned = text.normalize("NFC").replace(INVISIBLE, (_, emoji?: string) => emoji ?? "").replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, " ");
  let out = "";
  for (const char of cleaned) {
    out += faceFor(font, char.codePointAt(0)!) ? char : fallback;
  }
  return out;
}

/**
 * Scripts drawn with their own Noto face even where DejaVu has the letters: they need shaping
 * (Arabic joins, Devanagari reorders) or a design of their own (CJK, Thai, Hebrew, and emoji,
 * of which DejaVu Sans has a few in another style and the other DejaVu faces none).
 */
const OWN_FACE = /[\u0590-\u08FF\u0900-\u097F\u0E00-\u0E7F\u3000-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFB1D-\uFDFF\uFE70-\uFEFF\u{1F000}-\u{1FAFF}]/u;
const needsOwnFace = (codePoint: number) => OWN_FACE.test(String.fromCodePoint(codePoint));

/** The face that draws a character: the font itself, else the first of its fallbacks that has it (them first for OWN_FACE scripts). */
function faceFor(font: PDFFont, codePoint: number): PDFFont | null {
  const fallback = () => fallbacksOf.get(font)?.find((f) => characterSet(f).has(codePoint)) ?? null;
  const own = characterSet(font).has(codePoint) ? font : null;
  return needsOwnFace(codePoint) ? (fallback() ?? own) : (own ?? fallback());
}

/** One stretch of a line drawn with one face, in the order it is drawn (left to right). */
export interface TextRun {
  text: string;
  font: PDFFont;
}

const bidi = bidiFactory();
/**
 * The blocks of the scripts that read from the right (where even unassigned code points are
 * right-to-left): a line with none of them is one left-to-right stretch, with no need of the
 * bidirectional algorithm (~0.2 µs a character).
 */
const RIGHT_TO_LEFT_BLOCKS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** A letter or digit of any script: what a neighbouring run's face does not take over (faceRuns). */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;
/** Scripts fontkit lays out right to left: it reverses the glyphs of a run whose first character of a script is in one. */
const FONTKIT_RTL = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
const NO_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;

function fontkitReverses(text: string): boolean {
  for (const c of text) if (!NO_SCRIPT.test(c)) return FONTKIT_RTL.test(c);
  return false;
}

export type Direction = "ltr" | "rtl";

/**
 * The direction a line reads in: that of its paragraph in the Unicode bidirectional algorithm
 * (its first strong letter's, as HTML's dir="auto"). Digits and punctuation have none: "3
 * مستندات" reads from the right.
 */
export function lineDirection(line: string): Direction {
  if (!RIGHT_TO_LEFT_BLOCKS.test(line)) return "ltr";
  return (bidi.getEmbeddingLevels(line).paragraphs[0]?.level ?? 0) % 2 ? "rtl" : "ltr";
}

/**
 * A line as runs of one face each, in the order they are drawn (left to right), by the Unicode
 * bidirectional algorithm (bidi-js: levels, reordering, mirrored brackets): an Arabic or Hebrew
 * sentence reads from the right with its embedded names, e-mail addresses and numbers in their
 * own order, a number keeps its separators ("1,000.50") and, outside Arabic text, its signs
 * ("#1"), and Arabic-Indic digits read from the left as any number does. A run's text stays in
 * logical order where fontkit lays it out right to left itself (and joins Arabic); elsewhere it
 * is given in the order it is drawn. A PDF reader extracts the text in its logical order.
 * `direction`: the paragraph's, for a line wrapped out of one (else the line's own).
 */
export function runsOf(line: string, font: PDFFont, direction?: Direction): TextRun[] {
  if (direction !== "rtl" && !RIGHT_TO_LEFT_BLOCKS.test(line)) return faceRuns([...line], font, false);
  const embedding = bidi.getEmbeddingLevels(line, direction);
  const { levels } = embedding;
  const mirrored = bidi.getMirroredCharactersMap(line, levels);
  const visual = Array.from({ length: line.length }, (_, i) => i);
  for (const [from, to] of bidi.getReorderSegments(line, embedding)) visual.splice(from, to - from + 1, ...visual.slice(from, to + 1).reverse());
  const runs: TextRun[] = [];
  // Stretches of one level, as drawn: consecutive indices, rising at an even level, falling at an odd one.
  for (let i = 0; i < visual.length;) {
    const level = levels[visual[i]!]!;
    const step = level % 2 ? -1 : 1;
    let j = i + 1;
    while (j < visual.length && levels[visual[j]!] === level && visual[j] === visual[j - 1]! + step) j++;
    const [first, last] = step > 0 ? [visual[i]!, visual[j - 1]!] : [visual[j - 1]!, visual[i]!];
    const chars: string[] = [];
    let at = first;
    for (const char of line.slice(first, last + 1)) {
      chars.push(mirrored.get(at) ?? char);
      at += char.length;
    }
    const rtl = step < 0;
    const faced = faceRuns(chars, font, rtl);
    for (const run of rtl ? faced.reverse() : faced) {
      runs.push(fontkitReverses(run.text) === rtl ? run : { ...run, text: [...run.text].reverse().join("") });
    }
    i = j;
  }
  return runs;
}

/** Consecutive characters that one face draws; in a right-to-left stretch, spaces stay with its script's face. */
function faceRuns(chars: string[], font: PDFFont, rtl: boolean): TextRun[] {
  const scriptFace = rtl ? chars.map((c) => faceFor(font, c.codePointAt(0)!)).find((f) => f && rtlFonts.has(f)) ?? null : null;
  const runs: TextRun[] = [];
  for (const char of chars) {
    const cp = char.codePointAt(0)!;
    const last = runs.at(-1);
    // A space or punctuation between words of a script with its own face stays in that face's run (one shaped run, one ActualText).
    const keep = last && last.font !== font && !WORD_CHARACTER.test(char) && characterSet(last.font).has(cp) ? last.font : null;
    const face = keep ?? (scriptFace && characterSet(scriptFace).has(cp) ? scriptFace : faceFor(font, cp)) ?? font;
    // "❤️", "✌🏽": a pictograph another face drew (text style) is an emoji with what follows it.
    const emoji = last && EMOJI_PRESENTATION.test(char) && !emojiFaces.has(last.font) ? fallbacksOf.get(font)?.find((f) => emojiFaces.has(f)) : undefined;
    const pictograph = emoji ? [...last!.text].at(-1)! : "";
    if (emoji && PICTOGRAPH.test(pictograph) && characterSet(emoji).has(pictograph.codePointAt(0)!) && characterSet(emoji).has(cp)) {
      last!.text = last!.text.slice(0, -pictograph.length);
      if (!last!.text) runs.pop();
      runs.push({ text: pictograph + char, font: emoji });
    } else if (last && last.font === face) last.text += char;
    else runs.push({ text: char, font: face });
  }
  return runs;
}

/**
 * Draws one line of text (made printable first) with its fallback faces and directions. A run
 * whose glyphs a shaper reordered (Devanagari vowel signs and repha) carries its text as
 * ActualText, so that copying or extracting it gives the letters in their logical order.
 */
export function drawText(page: PDFPage, line: string, opts: { x: number; y: number; font: PDFFont; size: number; color?: RGB; direction?: Direction }): void {
  let x = opts.x;
  for (const run of runsOf(line, opts.font, opts.direction)) {
    const reordered = reorderingFaces.has(run.font);
    if (reordered) {
      const span = page.doc.context.obj({ ActualText: PDFHexString.fromText(run.text) });
      // An inline property dictionary: valid in a content stream, absent from pdf-lib's argument type.
      page.pushOperators(PDFOperator.of(Ops.BeginMarkedContentSequence, [PDFName.of("Span"), span as unknown as PDFName]));
    }
    showLine(page, run.text, { x, y: opts.y, font: run.font, size: opts.size, color: opts.color });
    if (reordered) page.pushOperators(PDFOperator.of(Ops.EndMarkedContent));
    x += runWidth(run, opts.size);
  }
}

/** A run's width: from per-character advances for the plain faces, from the laid-out glyphs for shaped ones. */
function runWidth(run: TextRun, size: number): number {
  return shapedFaces.has(run.font) ? run.font.widthOfTextAtSize(run.text, size) : advanceSum(run.font, run.text) * size;
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
  if (!fallbacksOf.get(font)?.length) return advanceSum(font, text) * size;
  return runsOf(text, font).reduce((sum, run) => sum + runWidth(run, size), 0);
}

function advanceSum(font: PDFFont, text: string): number {
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
  return width;
}

/**
 * The face for a typed signature: the script face when it can write the
 * whole name, else the fallback face for all of it. A signature mixing two
 * hands (a Vietnamese "Nguyễn" in italic beside "Văn An" in script) looks
 * forged; one face per name does not.
 */
export async function signatureFont(pdf: PDFDocument, name: string, fonts: FontSet): Promise<PDFFont> {
  if (covers(fonts.script, name.replace(/\s+/g, ""))) return fonts.script;
  let face = scriptFallbacks.get(pdf);
  if (!face) {
    face = embed(pdf, serifItalicPath).then((font) => (fallbacksOf.set(font, fonts.fallbacks), font));
    scriptFallbacks.set(pdf, face);
  }
  return face;
}
