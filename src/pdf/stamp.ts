/**
 * Stamping: the values signers gave, drawn into the pages of the documents
 * they signed, plus a signature page for signers who had no signature field.
 *
 * Text tags (text/text-tags.ts) are taken out of the pages first: fields sit where they were.
 *
 * Two entry points share the drawing:
 * - stampDocument: one document, saved as an incremental update of the
 *   original bytes, so signatures the upload already carried stay valid.
 * - buildEnvelopePdf: several documents merged into one new PDF. Merging
 *   copies pages into a fresh file, which cannot preserve the inputs'
 *   signatures (their byte ranges no longer exist): their signature values
 *   are dropped from the copied pages, their appearances stay visible.
 */
import { formatUtc } from "../clock.ts";
import {
  concatTransformationMatrix,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  type PDFPage,
  PDFPageLeaf,
  PDFPageTree,
  popGraphicsState,
  pushGraphicsState,
} from "pdf-lib";
import { loadPdf, savePdf } from "./document-io.ts";
import { type PageFrame, pageFrame } from "./page-frame.ts";
import { appendCompletionCertificate, type CompletionCertificateInput, type ShortenedValue } from "./certificate.ts";
import { type FontSet, fontsFor, textsIn } from "./fonts.ts";
import { saveIncremental, type Snapshot, takeSnapshot } from "./incremental.ts";
import { removeTextTags } from "./text/text-tags.ts";
import { fillFormFields } from "./form-fields.ts";
import {
  appendedPageSize,
  type Band,
  type Box,
  COLORS,
  drawFittedText,
  drawTextLine,
  drawSignature,
  drawSignaturePanel,
  formatDate,
  lineAt,
  type Signature,
  subBand,
} from "./render-layout.ts";
import { ReportWriter } from "./report-writer.ts";
import type { Locale } from "../enums.ts";
import type { RenderDocument, RenderField, RenderRecipient } from "./render-model.ts";
import { reportTexts, type ReportT } from "./report-texts.ts";

export interface StampOptions {
  /** Add a signature page with a block for each SIGNER who has no signature field. */
  appendSignaturePage: boolean;
  /** Append the certificate of completion in the same revision. */
  certificate?: CompletionCertificateInput;
  /** Language of the signature page's words (the envelope's; English when it has none). */
  locale?: Locale | null;
}

export interface EnvelopePdfOptions extends StampOptions {
  /** Document title of the merged PDF (shown by viewers instead of the file name). */
  title: string;
}

/** A field's rectangle in display space (y up), from its top-left-origin coordinates. */
function fieldBox(frame: PageFrame, field: RenderField): Box {
  return { x: field.x, y: frame.height - field.y - field.height, width: field.width, height: field.height };
}

function inset(box: Box, by: number): Box {
  const dx = Math.min(by, box.width / 4);
  const dy = Math.min(by / 2, box.height / 4);
  return { x: box.x + dx, y: box.y + dy, width: box.width - 2 * dx, height: box.height - 2 * dy };
}

/** "ΓΠ" for "Γιώργος Παπαδόπουλος": the first letter of each word. */
function initialsOf(name: string): string {
  return name
    .normalize("NFC")
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => [...word][0]!.toLocaleUpperCase())
    .join("");
}

/**
 * What a signature or initials field shows: the value given for this field
 * when there is one (a drawn image or typed text), else the recipient's
 * signature (for initials: the initials of their typed signature or name).
 */
function fieldSignature(field: RenderField, recipient: RenderRecipient): Signature | null {
  if (field.value?.trim()) {
    const value = field.value.trim();
    return { type: value.startsWith("data:image/") ? "drawn" : "typed", value };
  }
  if (field.type === "signature") return recipient.signature;
  const typed = recipient.signature?.type === "typed" ? recipient.signature.value : recipient.name;
  return { type: "typed", value: initialsOf(typed) };
}

/** An ISO date or date-time given by the signer page becomes YYYY-MM-DD; free text stays as typed. */
function dateText(field: RenderField, recipient: RenderRecipient): string | null {
  const value = field.value?.trim();
  if (!value) return recipient.signedAt ? formatDate(recipient.signedAt) : null;
  const parsed = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? formatDate(parsed) : value;
}

const CHECKED = new Set(["true", "on", "yes", "1", "x", "checked"]);

/** A vector check mark: crisp at any size, and independent of a font's glyph coverage. */
function drawCheckMark(page: PDFPage, box: Box): void {
  const side = Math.min(box.width, box.height);
  const left = box.x + (box.width - side) / 2;
  const top = box.y + (box.height + side) / 2;
  page.drawSvgPath(`M ${0.2 * side} ${0.52 * side} L ${0.42 * side} ${0.76 * side} L ${0.82 * side} ${0.22 * side}`, {
    x: left,
    y: top,
    borderColor: COLORS.ink,
    borderWidth: Math.max(0.3, side * 0.12),
    borderLineCap: 1, // round
  });
}

/** Draws a field's value in its box; returns the text when it was cut short to fit, else null. */
async function drawField(
  pdf: PDFDocument,
  page: PDFPage,
  box: Box,
  field: RenderField,
  recipient: RenderRecipient,
  fonts: FontSet,
): Promise<string | null> {
  const textSizes = { max: Math.min(11, Math.max(4, box.height * 0.75)), min: 4 };
  const fitted = (text: string) => (drawFittedText(page, inset(box, 2), text, fonts.sans, textSizes) ? text : null);
  switch (field.type) {
    case "signature":
    case "initials": {
      const signature = fieldSignature(field, recipient);
      if (signature) await drawSignature(pdf, page, box, signature, fonts);
      return null;
    }
    case "date": {
      const text = dateText(field, recipient);
      return text ? fitted(text) : null;
    }
    case "text":
      return field.value?.trim() ? fitted(field.value) : null;
    case "checkbox":
      if (CHECKED.has(field.value?.trim().toLowerCase() ?? "")) drawCheckMark(page, box);
      return null;
    case "radio":
    case "choice":
      return null; // only ever a form field's: the form shows the value
  }
}

/**
 * Draws each field on its page (of `pages`, the document's pages in order), in display space;
 * returns the values cut short to fit their box, which the certificate then gives in full.
 */
async function stampFields(pdf: PDFDocument, pages: PDFPage[], allFields: RenderField[], recipients: RenderRecipient[], pageOffset = 0): Promise<ShortenedValue[]> {
  // A value that went into the document's own form shows through the form field's appearance.
  const fields = allFields.filter((f) => !f.formField || f.type === "signature");
  const shortened: ShortenedValue[] = [];
  if (fields.length === 0) return shortened; // embed no font into a document that draws nothing
  const fonts = await fontsFor(pdf, textsIn([fields, recipients]));
  const byId = new Map(recipients.map((r) => [r.id, r]));
  const byPage = Map.groupBy(fields, (field) => field.page);
  for (const [number, pageFields] of byPage) {
    const page = pages[number - 1];
    if (!page) throw new Error(`field ${pageFields[0]!.id} is on page ${number}, the document has ${pages.length}`);
    const frame = pageFrame(page);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...frame.toUserSpace));
    for (const field of pageFields) {
      const recipient = byId.get(field.recipientId);
      if (!recipient) throw new Error(`field ${field.id} belongs to unknown recipient ${field.recipientId}`);
      const cut = await drawField(pdf, page, fieldBox(frame, field), field, recipient, fonts);
      if (cut !== null) shortened.push({ recipientName: recipient.name, page: pageOffset + number, value: cut });
    }
    page.pushOperators(popGraphicsState());
  }
  return shortened;
}

/** SIGNERs whose signature appears in no signature field of `fields`: they get a block on the signature page. */
function signersWithoutField(recipients: RenderRecipient[], fields: RenderField[]): RenderRecipient[] {
  const placed = new Set(fields.filter((f) => f.type === "signature").map((f) => f.recipientId));
  return recipients.filter((r) => r.role === "SIGNER" && !placed.has(r.id));
}

const BLOCK = { height: 118, gap: 16, panel: 58 };

async function drawSignatureBlock(
  pdf: PDFDocument,
  page: PDFPage,
  at: Band & { top: number },
  signer: RenderRecipient,
  fonts: FontSet,
  t: ReportT,
): Promise<void> {
  const panel = { x: at.x, y: at.top - BLOCK.panel, width: at.width, height: BLOCK.panel };
  await drawSignaturePanel(pdf, page, panel, signer, fonts, t);
  const line = (y: number) => ({ ...lineAt(at), y, maxWidth: at.width });
  const when = signer.signedAt ? t("signedAt", { time: formatUtc(signer.signedAt) }) : t("notSigned", { status: signer.status });
  drawTextLine(page, signer.name, line(panel.y - 14), fonts.bold, 10);
  drawTextLine(page, signer.email, line(panel.y - 26), fonts.sans, 8.5, COLORS.muted);
  drawTextLine(page, when, line(panel.y - 38), fonts.sans, 8.5);
  drawTextLine(page, signer.id, line(panel.y - 49), fonts.mono, 6.5, COLORS.muted);
}

/** Signature page(s): two blocks per row, as many pages as the signers need. */
async function appendSignaturePages(pdf: PDFDocument, signers: RenderRecipient[], documentName: string, t: ReportT): Promise<void> {
  if (signers.length === 0) return;
  const fonts = await fontsFor(pdf, textsIn([signers, documentName]));
  const report = new ReportWriter(pdf, fonts, {
    title: t("signaturesTitle"),
    footer: t("signaturePageFooter", { document: documentName }),
    developmentCertificate: false,
    pageSize: appendedPageSize(pdf),
    t,
  });
  report.title([documentName, t("signaturePageIntro")]);
  const columnWidth = (report.width - BLOCK.gap) / 2;
  for (let i = 0; i < signers.length; i += 2) {
    const { page, top } = report.reserve(BLOCK.height + BLOCK.gap);
    for (const [column, signer] of signers.slice(i, i + 2).entries()) {
      await drawSignatureBlock(pdf, page, { ...subBand(report.band, column * (columnWidth + BLOCK.gap), columnWidth), top: top - BLOCK.gap }, signer, fonts, report.t);
    }
  }
  report.finish();
}

/**
 * Each page-tree node's /Count made the number of pages under it. pdf-lib reads and rewrites the
 * counts on the way to the new page when it adds one, and a damaged file may hold anything there
 * (a dictionary, a string): such a file passed the upload check, which adds no page, then failed
 * at sealing. Counts that are right are left as they are; a loop in the tree is not followed.
 */
function repairPageCounts(node: PDFPageTree, seen = new Set<PDFPageTree>()): number {
  if (seen.has(node)) return 0;
  seen.add(node);
  let pages = 0;
  const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
  for (let i = 0; i < (kids?.size() ?? 0); i++) {
    const kid = kids!.lookup(i);
    if (kid instanceof PDFPageTree) pages += repairPageCounts(kid, seen);
    else if (kid instanceof PDFPageLeaf) pages++;
  }
  const count = node.get(PDFName.of("Count"));
  if (!(count instanceof PDFNumber) || count.asNumber() !== pages) node.set(PDFName.of("Count"), PDFNumber.of(pages));
  return pages;
}

async function appendTrailingPages(
  pdf: PDFDocument,
  recipients: RenderRecipient[],
  fields: RenderField[],
  documentName: string,
  opts: StampOptions,
  shortened: ShortenedValue[],
): Promise<void> {
  if (opts.appendSignaturePage || opts.certificate) repairPageCounts(pdf.catalog.Pages());
  if (opts.appendSignaturePage) await appendSignaturePages(pdf, signersWithoutField(recipients, fields), documentName, reportTexts(opts.locale));
  if (opts.certificate) await appendCompletionCertificate(pdf, { ...opts.certificate, shortened });
}

/** Subset fonts and images are only written by flush(): do it before the writer diffs objects. */
async function saveRevision(original: Uint8Array, pdf: PDFDocument, snapshot: Snapshot): Promise<Uint8Array> {
  await pdf.flush();
  return saveIncremental(original, pdf, snapshot);
}

/**
 * One document with its field values drawn in place, optionally a signature
 * page and the certificate of completion, appended to the original bytes as
 * one incremental update. `parsed`: doc.bytes as the caller already parsed them
 * (the upload check), changed by nothing but reading.
 */
export async function stampDocument(
  doc: RenderDocument,
  recipients: RenderRecipient[],
  fields: RenderField[],
  opts: StampOptions,
  parsed?: PDFDocument,
): Promise<Uint8Array> {
  const pdf = parsed ?? (await loadPdf(doc.bytes));
  const snapshot = takeSnapshot(pdf);
  const own = fields.filter((f) => f.documentId === doc.id);
  // Text tags said where fields go; the signed document shows the values, not the tags.
  removeTextTags(pdf.getPages(), doc.taggedPages);
  await fillFormFields(pdf, new Map(Object.entries(doc.formValues ?? {})));
  const shortened = await stampFields(pdf, pdf.getPages(), own, recipients);
  await appendTrailingPages(pdf, recipients, own, doc.name, opts, shortened);
  return saveRevision(doc.bytes, pdf, snapshot);
}

/**
 * Copied signature widgets keep their appearance but lose their value: the
 * signature's byte range belongs to the source file, and a validator would
 * report it as broken in the merged one.
 */
function dropSignatureValues(page: PDFPage): void {
  const annots = page.node.lookupMaybe(PDFName.of("Annots"), PDFArray);
  for (let i = 0; i < (annots?.size() ?? 0); i++) {
    const widget = annots!.lookupMaybe(i, PDFDict);
    // A widget is its own field, or a kid of the field that holds /FT and /V.
    const field = widget?.has(PDFName.of("FT")) ? widget : widget?.lookupMaybe(PDFName.of("Parent"), PDFDict);
    if (field?.get(PDFName.of("FT")) === PDFName.of("Sig")) field.delete(PDFName.of("V"));
  }
}

/**
 * Several documents in order in one new PDF, stamped, with the signature
 * page and certificate. A new file: the inputs' own signatures are not
 * carried over (see the module comment); the seal that follows covers all.
 * `parsed`: the documents as the caller already parsed them, in the same order
 * (the upload check's), changed by nothing but what is done to them here first.
 */
export async function buildEnvelopePdf(
  docs: RenderDocument[],
  recipients: RenderRecipient[],
  fields: RenderField[],
  opts: EnvelopePdfOptions,
  parsed?: readonly PDFDocument[],
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(opts.title);
  pdf.setProducer("Certyneo");
  const included = fields.filter((f) => docs.some((doc) => doc.id === f.documentId));
  const shortened: ShortenedValue[] = [];
  for (const [i, doc] of docs.entries()) {
    const source = parsed?.[i] ?? (await loadPdf(doc.bytes));
    removeTextTags(source.getPages(), doc.taggedPages);
    // Copied pages leave the source's form behind but keep its widgets: values written into the
    // form first show through the widgets' appearances, as in the document sealed alone.
    await fillFormFields(source, new Map(Object.entries(doc.formValues ?? {})));
    const pages = await pdf.copyPages(source, source.getPageIndices());
    for (const page of pages) {
      dropSignatureValues(page);
      pdf.addPage(page);
    }
    shortened.push(...(await stampFields(pdf, pages, included.filter((f) => f.documentId === doc.id), recipients, pdf.getPageCount() - pages.length)));
  }
  await appendTrailingPages(pdf, recipients, included, opts.title, opts, shortened);
  return savePdf(pdf);
}
