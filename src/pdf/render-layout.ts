/**
 * Shared drawing for the pages Certyneo generates: formatting of times, lines placed from the
 * side the language reads from (Band), the signature appearance (drawn image or typed name),
 * fitted text and label/value rows. The flowing report layout is report-writer.ts.
 */
import { formatUtc } from "../clock.ts";
import { type PDFDocument, type PDFFont, type PDFImage, type PDFPage, type RGB, rgb } from "pdf-lib";
import { centredBaseline, type Direction, drawText, type FontSet, printable, signatureFont, textWidth, verticalMetrics } from "./fonts.ts";
import { type WrappedLine, fitText, LINE_HEIGHT, truncate, wrapText } from "./text-fit.ts";
import type { RenderRecipient } from "./render-model.ts";
import type { ReportT } from "./report-texts.ts";

export const COLORS = {
  ink: rgb(0.11, 0.13, 0.18),
  muted: rgb(0.42, 0.45, 0.5),
  accent: rgb(0.1, 0.32, 0.62),
  rule: rgb(0.84, 0.86, 0.9),
  panel: rgb(0.96, 0.97, 0.98),
  danger: rgb(0.76, 0.09, 0.09),
  white: rgb(1, 1, 1),
  signature: rgb(0.05, 0.15, 0.45),
} as const;

export const A4: [number, number] = [595.28, 841.89];

export type Signature = NonNullable<RenderRecipient["signature"]>;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ISO calendar date (UTC), the unambiguous form for a date field. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function formatOptionalUtc(date: Date | null): string {
  return date ? formatUtc(date) : "—";
}

/**
 * Size for pages appended to a document (signature page, certificate): the
 * size of its last page as displayed, in portrait, so a US Letter contract
 * gets Letter pages; A4 when that page is odd (a 4 pt image, a banner strip).
 */
export function appendedPageSize(pdf: PDFDocument): [number, number] {
  const pages = pdf.getPages();
  const last = pages.at(-1);
  if (!last) return A4;
  const { width, height } = last.getSize();
  const [short, long] = [Math.abs(width), Math.abs(height)].sort((a, b) => a - b);
  return short >= 400 && long <= 1400 ? [short, long] : A4;
}

/**
 * A horizontal stretch of a page whose lines start on one side: the left, or on a right-to-left
 * page (Arabic) the right, where its labels, columns and headings are mirrored too.
 */
export interface Band {
  x: number;
  width: number;
  rtl: boolean;
}

/** Where a line `offset` from the band's starting side goes: its left edge, or its right edge (alignRight) right to left. */
export function lineAt(band: Band, offset = 0): { x: number; alignRight?: boolean } {
  return band.rtl ? { x: band.x + band.width - offset, alignRight: true } : { x: band.x + offset };
}

/** The left edge of a box `width` wide placed `offset` from the band's starting side. */
export function boxAt(band: Band, offset: number, width: number): number {
  return band.rtl ? band.x + band.width - offset - width : band.x + offset;
}

/** The part of a band `width` wide at `offset` from its starting side (a column, a panel), starting on the same side. */
export function subBand(band: Band, offset: number, width: number): Band {
  return { x: boxAt(band, offset, width), width, rtl: band.rtl };
}

/** The same band, its lines starting on the other side (a page number, a header's title). */
export const otherSide = (band: Band): Band => ({ ...band, rtl: !band.rtl });

/**
 * Draws one line of text, made printable in the font first, cut with an ellipsis at
 * `at.maxWidth`; `at.x` is its left edge, or its right edge with `alignRight`.
 */
export function drawTextLine(
  page: PDFPage,
  text: string,
  at: { x: number; y: number; maxWidth?: number; alignRight?: boolean },
  font: PDFFont,
  size: number,
  color: RGB = COLORS.ink,
): void {
  const line = printable(text, font);
  drawLine(page, at.maxWidth === undefined ? line : truncate(line, font, size, at.maxWidth), at, font, size, color);
}

/** Draws a line already printable and fitted (wrapText's, in its paragraph's direction): at its left edge `at.x`, or its right edge with `alignRight`. */
export function drawLine(page: PDFPage, line: string, at: { x: number; y: number; alignRight?: boolean; direction?: Direction }, font: PDFFont, size: number, color: RGB = COLORS.ink): void {
  drawText(page, line, { x: at.alignRight ? at.x - textWidth(font, line, size) : at.x, y: at.y, font, size, color, direction: at.direction });
}

const images = new WeakMap<PDFDocument, Map<string, Promise<PDFImage>>>();

function decodeDataUrl(dataUrl: string): { kind: "png" | "jpeg"; bytes: Uint8Array } {
  const match = /^data:image\/(png|jpe?g);base64,(.*)$/s.exec(dataUrl.trim());
  if (!match) throw new Error("drawn signature is not a data:image/png;base64 (or jpeg) URL");
  return { kind: match[1] === "png" ? "png" : "jpeg", bytes: Buffer.from(match[2], "base64") };
}

/** A signature image, embedded once per document however many fields show it. */
function signatureImage(pdf: PDFDocument, dataUrl: string): Promise<PDFImage> {
  let cache = images.get(pdf);
  if (!cache) images.set(pdf, (cache = new Map()));
  let image = cache.get(dataUrl);
  if (!image) {
    const { kind, bytes } = decodeDataUrl(dataUrl);
    image = kind === "png" ? pdf.embedPng(bytes) : pdf.embedJpg(bytes);
    cache.set(dataUrl, image);
  }
  return image;
}

/** Typed name in a script-like face, as large as the box allows (capped so a huge box does not get a poster). */
function drawTypedSignature(page: PDFPage, box: Box, name: string, font: PDFFont): void {
  const text = printable(name.replace(/\s+/g, " ").trim(), font);
  const widthAtOne = textWidth(font, text, 1);
  if (widthAtOne === 0) return;
  const { ascent, descent } = verticalMetrics(font);
  const size = Math.min(box.height / (ascent + descent), (box.width * 0.94) / widthAtOne, 40);
  drawText(page, text, {
    x: box.x + (box.width - widthAtOne * size) / 2,
    y: centredBaseline(font, size, box.y, box.height),
    font,
    size,
    color: COLORS.signature,
  });
}

/** The signature as the signer gave it, centred and scaled to fit the box. */
export async function drawSignature(
  pdf: PDFDocument,
  page: PDFPage,
  box: Box,
  signature: Signature,
  fonts: FontSet,
): Promise<void> {
  if (signature.type === "typed") return drawTypedSignature(page, box, signature.value, await signatureFont(pdf, signature.value, fonts));
  const image = await signatureImage(pdf, signature.value);
  const scale = Math.min(box.width / image.width, box.height / image.height);
  const width = image.width * scale;
  const height = image.height * scale;
  page.drawImage(image, {
    x: box.x + (box.width - width) / 2,
    y: box.y + (box.height - height) / 2,
    width,
    height,
  });
}

/**
 * A light panel with the recipient's signature, or a quiet note saying why
 * there is none (an approver approves without signing).
 */
export async function drawSignaturePanel(
  pdf: PDFDocument,
  page: PDFPage,
  box: Box,
  recipient: RenderRecipient,
  fonts: FontSet,
  t: ReportT,
): Promise<void> {
  page.drawRectangle({ ...box, color: COLORS.panel, borderColor: COLORS.rule, borderWidth: 0.5 });
  const pad = Math.min(6, box.height / 8);
  const inner = { x: box.x + pad, y: box.y + pad, width: box.width - 2 * pad, height: box.height - 2 * pad };
  if (recipient.signature) return drawSignature(pdf, page, inner, recipient.signature, fonts);
  const note = recipient.role === "SIGNER" ? t("notSigned", { status: recipient.status }) : t("noSignature", { role: recipient.role.toLowerCase() });
  drawFittedText(page, inner, note, fonts.sans, { max: 8, min: 5 }, COLORS.muted);
}

/**
 * Lines of text fitted to a box, vertically centred in it, each from the side its paragraph reads
 * from (an Arabic paragraph's lines at the box's right edge). True when the text was cut short.
 */
export function drawFittedText(
  page: PDFPage,
  box: Box,
  text: string,
  font: PDFFont,
  sizes: { max: number; min: number },
  color: RGB = COLORS.ink,
): boolean {
  const { size, lines, cut } = fitText(text, font, box, sizes);
  const lineHeight = size * LINE_HEIGHT;
  const blockHeight = Math.min(box.height, lines.length * lineHeight);
  let slotBottom = box.y + (box.height + blockHeight) / 2 - lineHeight;
  for (const { text: line, direction } of lines) {
    const x = direction === "rtl" ? box.x + box.width - textWidth(font, line, size) : box.x;
    drawText(page, line, { x, y: centredBaseline(font, size, slotBottom, lineHeight), font, size, color, direction });
    slotBottom -= lineHeight;
  }
  return cut;
}

/** One label/value line of a report; long values wrap under themselves. */
export interface Row {
  label: string;
  value: string;
  mono?: boolean;
}

const ROW = { labelWidth: 110, labelSize: 7.5, valueSize: 8.5, monoSize: 7.5, gap: 2.5, maxLines: 16 };

interface RowLayout {
  row: Row;
  font: PDFFont;
  size: number;
  lines: WrappedLine[];
  height: number;
}

function layoutRows(rows: Row[], width: number, fonts: FontSet): RowLayout[] {
  return rows.map((row) => {
    const font = row.mono ? fonts.mono : fonts.sans;
    const size = row.mono ? ROW.monoSize : ROW.valueSize;
    const valueWidth = width - ROW.labelWidth;
    let lines = wrapText(row.value || "—", font, size, valueWidth);
    if (lines.length > ROW.maxLines) {
      lines = lines.slice(0, ROW.maxLines);
      const last = lines[ROW.maxLines - 1]!;
      lines[ROW.maxLines - 1] = { ...last, text: truncate(`${last.text} …`, font, size, valueWidth) };
    }
    return { row, font, size, lines, height: lines.length * size * LINE_HEIGHT + ROW.gap };
  });
}

export function rowsHeight(rows: Row[], width: number, fonts: FontSet): number {
  return layoutRows(rows, width, fonts).reduce((sum, row) => sum + row.height, 0);
}

/** Draws label/value rows from `top` downwards across the band: labels on its starting side. */
export function drawRows(page: PDFPage, rows: Row[], at: Band & { top: number }, fonts: FontSet): void {
  let top = at.top;
  for (const layout of layoutRows(rows, at.width, fonts)) {
    const firstBaseline = top - layout.size;
    drawTextLine(page, layout.row.label, { ...lineAt(at), y: firstBaseline }, fonts.bold, ROW.labelSize, COLORS.muted);
    layout.lines.forEach(({ text: line, direction }, i) => {
      drawLine(page, line, { ...lineAt(at, ROW.labelWidth), y: firstBaseline - i * layout.size * LINE_HEIGHT, direction }, layout.font, layout.size);
    });
    top -= layout.height;
  }
}
