/**
 * A small flowing layout for report pages (certificate of completion, audit trail, signature
 * page): a header, an optional development banner, sections, paragraphs, rows and tables, and
 * "Page i of n" footers, mirrored on a right-to-left page.
 */
import { type PDFDocument, type PDFPage, type RGB } from "pdf-lib";
import { type FontSet, textWidth } from "./fonts.ts";
import { type Band, COLORS, drawLine, drawRows, drawTextLine, lineAt, otherSide, type Row, rowsHeight, subBand } from "./render-layout.ts";
import { LINE_HEIGHT, wrapText } from "./text-fit.ts";
import type { ReportT } from "./report-texts.ts";

const MARGIN = { top: 48, bottom: 56, side: 50 };

export interface Column {
  header: string;
  /** Fraction of the content width. */
  width: number;
}

export interface ReportOptions {
  /** Shown large on the first page and small in every page header. */
  title: string;
  /** Left part of every footer (e.g. the envelope id); "Page i of n" is added on the right. */
  footer: string;
  /** Puts a loud banner on every page: this instance seals with a self-signed development certificate. */
  developmentCertificate: boolean;
  pageSize: [number, number];
  /** The language of the page's own words (page numbers, banner). */
  t: ReportT;
}

const SECTION_HEIGHT = 38;

/**
 * A top-to-bottom flow of report content over as many pages as it needs.
 * Blocks are kept whole on a page (an event or a recipient never straddles
 * a page break), and footers are drawn at the end, when the page count is known.
 */
export class ReportWriter {
  private readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;
  private pendingHeading: string | null = null;

  constructor(
    private readonly pdf: PDFDocument,
    readonly fonts: FontSet,
    private readonly options: ReportOptions,
  ) {
    this.newPage();
  }

  get t(): ReportT {
    return this.options.t;
  }

  get width(): number {
    return this.options.pageSize[0] - 2 * MARGIN.side;
  }

  get left(): number {
    return MARGIN.side;
  }

  /** The content's width, starting on the side the language reads from. */
  get band(): Band {
    return { x: this.left, width: this.width, rtl: this.t.rtl };
  }

  /** The big title and its subtitle lines, once, at the top of the first page. */
  title(subtitle: string[]): void {
    this.y -= 10;
    drawTextLine(this.page, this.options.title, { ...lineAt(this.band), y: this.y - 22, maxWidth: this.width }, this.fonts.bold, 22);
    this.y -= 30;
    for (const line of subtitle) {
      this.y -= 13;
      drawTextLine(this.page, line, { ...lineAt(this.band), y: this.y + 2, maxWidth: this.width }, this.fonts.sans, 9.5, COLORS.muted);
    }
    this.y -= 10;
  }

  /**
   * A section heading. It is drawn with the section's first content, so it
   * is never left alone at the bottom of a page.
   */
  section(heading: string): void {
    this.flushHeading();
    this.pendingHeading = heading;
  }

  /** Running text; it may continue on the next page, line by line. */
  paragraph(text: string, color: RGB = COLORS.ink): void {
    const { sans } = this.fonts;
    const size = 8.5;
    const lineHeight = size * LINE_HEIGHT;
    for (const { text: line, direction } of wrapText(text, sans, size, this.width)) {
      this.ensure(lineHeight);
      drawLine(this.page, line, { ...lineAt(this.band), y: this.y - size, direction }, sans, size, color);
      this.y -= lineHeight;
    }
    this.y -= 4;
  }

  rows(rows: Row[]): void {
    const { page, top } = this.reserve(rowsHeight(rows, this.width, this.fonts));
    drawRows(page, rows, { ...this.band, top }, this.fonts);
  }

  /** A table whose header is repeated on each page it runs over; cells wrap. */
  table(columns: Column[], rows: string[][]): void {
    const size = 8.5;
    const lineHeight = size * LINE_HEIGHT;
    const widths = columns.map((c) => c.width * this.width);
    // Each column's own band: the first column on the starting side.
    const bands = widths.map((width, i) => subBand(this.band, widths.slice(0, i).reduce((a, b) => a + b, 0), width));
    const header = () => {
      const { page, top } = this.reserve(18);
      columns.forEach((c, i) => drawTextLine(page, this.t.upper(c.header), { ...lineAt(bands[i]!), y: top - 10 }, this.fonts.bold, 7, COLORS.muted));
      page.drawLine({ start: { x: this.left, y: top - 15 }, end: { x: this.left + this.width, y: top - 15 }, thickness: 0.5, color: COLORS.rule });
    };
    this.ensure(18 + lineHeight);
    header();
    for (const row of rows) {
      const cells = row.map((text, i) => wrapText(text, this.fonts.sans, size, widths[i]! - 8));
      const height = Math.max(...cells.map((lines) => lines.length)) * lineHeight + 5;
      if (this.y - height < MARGIN.bottom) {
        this.newPage();
        header();
      }
      const { page, top } = this.reserve(height);
      cells.forEach((lines, i) =>
        lines.forEach(({ text: line, direction }, n) => drawLine(page, line, { ...lineAt(bands[i]!), y: top - size - 2 - n * lineHeight, direction }, this.fonts.sans, size)),
      );
    }
    this.y -= 6;
  }

  /**
   * Room for content of a known height, whole on one page (a new page when
   * it does not fit): the caller draws from `top` downwards.
   */
  reserve(height: number): { page: PDFPage; top: number } {
    this.ensure(height);
    const top = this.y;
    this.y -= height;
    return { page: this.page, top };
  }

  /** Draws the footers; call once, after the last content. */
  finish(): void {
    this.flushHeading();
    const total = this.pages.length;
    this.pages.forEach((page, i) => {
      const y = MARGIN.bottom - 26;
      page.drawLine({
        start: { x: this.left, y: y + 12 },
        end: { x: this.left + this.width, y: y + 12 },
        thickness: 0.5,
        color: COLORS.rule,
      });
      drawTextLine(page, this.options.footer, { ...lineAt(this.band), y, maxWidth: this.width - 80 }, this.fonts.sans, 7.5, COLORS.muted);
      // The page number on the other side.
      drawTextLine(page, this.t("pageOf", { page: i + 1, total }), { ...lineAt(otherSide(this.band)), y }, this.fonts.sans, 7.5, COLORS.muted);
    });
  }

  /** Makes room for `height` (and a pending section heading, drawn first) on the current page or a new one. */
  private ensure(height: number): void {
    const heading = this.pendingHeading;
    this.pendingHeading = null;
    if (this.y - height - (heading ? SECTION_HEIGHT : 0) < MARGIN.bottom) this.newPage();
    if (heading) this.drawSection(heading);
  }

  /** A section with no content still shows its heading. */
  private flushHeading(): void {
    if (this.pendingHeading) this.ensure(0);
  }

  private drawSection(heading: string): void {
    this.y -= 14;
    drawTextLine(this.page, this.t.upper(heading), { ...lineAt(this.band), y: this.y - 10 }, this.fonts.bold, 9.5, COLORS.accent);
    this.y -= 16;
    this.page.drawLine({
      start: { x: this.left, y: this.y },
      end: { x: this.left + this.width, y: this.y },
      thickness: 0.75,
      color: COLORS.accent,
    });
    this.y -= 8;
  }

  private newPage(): void {
    const [width, height] = this.options.pageSize;
    this.page = this.pdf.addPage([width, height]);
    this.pages.push(this.page);
    this.y = height - MARGIN.top;
    this.drawHeader();
    if (this.options.developmentCertificate) this.drawBanner();
  }

  private drawHeader(): void {
    const y = this.y + 14;
    drawTextLine(this.page, "CERTYNEO", { ...lineAt(this.band), y }, this.fonts.bold, 8, COLORS.accent);
    // The title on the other side.
    drawTextLine(this.page, this.options.title, { ...lineAt(otherSide(this.band)), y }, this.fonts.sans, 8, COLORS.muted);
    this.page.drawLine({
      start: { x: this.left, y: y - 6 },
      end: { x: this.left + this.width, y: y - 6 },
      thickness: 0.5,
      color: COLORS.rule,
    });
    this.y -= 4;
  }

  private drawBanner(): void {
    const height = 30;
    const top = this.y - 4;
    this.page.drawRectangle({ x: this.left, y: top - height, width: this.width, height, color: COLORS.danger });
    const size = 11;
    const banner = this.t("devBanner");
    const widthOfBanner = textWidth(this.fonts.bold, banner, size);
    drawTextLine(
      this.page,
      banner,
      { x: this.left + (this.width - widthOfBanner) / 2, y: top - 13 },
      this.fonts.bold,
      size,
      COLORS.white,
    );
    const note = this.t("devNote");
    const noteWidth = textWidth(this.fonts.sans, note, 7);
    drawTextLine(this.page, note, { x: this.left + (this.width - noteWidth) / 2, y: top - 24 }, this.fonts.sans, 7, COLORS.white);
    this.y = top - height - 6;
  }
}
