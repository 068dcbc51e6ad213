/**
 * Text fitted to a width or a box with the embedded faces' measures (fonts.ts): word wrap,
 * truncation with an ellipsis, and the largest size at which a value fits its field.
 */
import type { PDFFont } from "pdf-lib";
import { type Direction, lineDirection, printable, textWidth } from "./fonts.ts";

/** A line of wrapped text, with the direction of the paragraph it is part of (each line of an Arabic paragraph reads from the right). */
export interface WrappedLine {
  text: string;
  direction: Direction;
}

/** Text that fits a box: the size chosen and the lines at that size; `cut` when the last kept line ends with an ellipsis. */
export interface FittedText {
  size: number;
  lines: WrappedLine[];
  cut: boolean;
}

/** Line height as a multiple of the font size, for every wrapped text. */
export const LINE_HEIGHT = 1.25;

const ELLIPSIS = "\u2026";

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
 * for a line are broken rather than left to overflow the box. Each line has its
 * paragraph's direction.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): WrappedLine[] {
  const out: WrappedLine[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    const drawn = printable(paragraph, font);
    const direction = lineDirection(drawn);
    const lines: string[] = [];
    let line = "";
    for (const word of drawn.split(/ +/).filter(Boolean)) {
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
    out.push(...lines.map((text) => ({ text, direction })));
  }
  return out;
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
      return { size, lines, cut: false };
    }
  }
  const size = sizes.min;
  const lines = wrapText(text, font, size, box.width);
  const room = Math.max(1, Math.floor(box.height / (size * LINE_HEIGHT)));
  if (lines.length <= room) return { size, lines, cut: false };
  const kept = lines.slice(0, room);
  const last = kept[room - 1]!;
  kept[room - 1] = { ...last, text: truncate(`${last.text} ${lines[room]!.text.trim()}`, font, size, box.width) };
  return { size, lines: kept, cut: true };
}
