/**
 * The certificate of completion: pages appended to the signed document that
 * say who signed what, when, from where and how they were authenticated,
 * with each document's original SHA-256. It is appended before the seal, so
 * the seal covers it too.
 */
import type { PDFDocument } from "pdf-lib";
import { fontsFor } from "./fonts.ts";
import {
  appendedPageSize,
  COLORS,
  drawTextLine,
  drawRows,
  drawSignaturePanel,
  formatOptionalUtc,
  formatUtc,
  ReportWriter,
  type Row,
  rowsHeight,
} from "./render-layout.ts";
import type { RenderDocumentInfo, RenderEnvelope, RenderRecipient } from "./render-model.ts";

export interface CompletionCertificateInput {
  envelope: RenderEnvelope;
  /** In envelope order, with the SHA-256 of the original upload. */
  documents: RenderDocumentInfo[];
  recipients: RenderRecipient[];
  generatedAt: Date;
  /** The instance seals with its self-signed development certificate: every page says so. */
  developmentCertificate: boolean;
}

export const ROLE_LABELS: Record<RenderRecipient["role"], string> = {
  SIGNER: "Signer",
  APPROVER: "Approver",
  CC: "Receives a copy (CC)",
};

const SIGNATURE_PANEL = { width: 168, height: 62, gap: 16 };

/** The envelope's identity and times; the audit trail shows the same. */
export function envelopeRows(envelope: RenderEnvelope): Row[] {
  return [
    { label: "Envelope ID", value: envelope.id, mono: true },
    { label: "Subject", value: envelope.subject },
    { label: "Status", value: envelope.status },
    { label: "Created", value: formatUtc(envelope.createdAt) },
    { label: "Sent", value: formatOptionalUtc(envelope.sentAt) },
    { label: "Completed", value: formatOptionalUtc(envelope.completedAt) },
  ];
}

function documentRows(document: RenderDocumentInfo): Row[] {
  return [
    { label: "Document ID", value: document.id, mono: true },
    { label: "SHA-256 (original)", value: document.sha256, mono: true },
  ];
}

function recipientRows(recipient: RenderRecipient): Row[] {
  return [
    { label: "E-mail", value: recipient.email },
    { label: "Role", value: ROLE_LABELS[recipient.role] },
    { label: "Status", value: recipient.status },
    { label: "Signed (UTC)", value: formatOptionalUtc(recipient.signedAt) },
    { label: "IP address", value: recipient.ip ?? "—" },
    { label: "User agent", value: recipient.userAgent ?? "—" },
    { label: "Authentication", value: recipient.authMethod },
    { label: "Recipient ID", value: recipient.id, mono: true },
    ...(recipient.reassignedFrom ? [{ label: "Reassigned from", value: recipient.reassignedFrom }] : []),
  ];
}

const HEADING_HEIGHT = 16;

/** A document's name, id and original SHA-256, kept together. */
export function addDocument(report: ReportWriter, document: RenderDocumentInfo, index: number): void {
  const rows = documentRows(document);
  const { page, top } = report.reserve(HEADING_HEIGHT + rowsHeight(rows, report.width, report.fonts) + 8);
  const heading = { x: report.left, y: top - 11, maxWidth: report.width };
  drawTextLine(page, `${index + 1}. ${document.name}`, heading, report.fonts.bold, 10);
  drawRows(page, rows, { x: report.left, top: top - HEADING_HEIGHT, width: report.width }, report.fonts);
}

/** Details on the left, the signature on the right; kept whole on one page. */
async function addRecipient(pdf: PDFDocument, report: ReportWriter, recipient: RenderRecipient): Promise<void> {
  const rows = recipientRows(recipient);
  const detailsWidth = report.width - SIGNATURE_PANEL.width - SIGNATURE_PANEL.gap;
  const bodyHeight = Math.max(rowsHeight(rows, detailsWidth, report.fonts), SIGNATURE_PANEL.height + 12);
  const { page, top } = report.reserve(HEADING_HEIGHT + bodyHeight + 14);
  const { fonts } = report;
  drawTextLine(page, recipient.name, { x: report.left, y: top - 11, maxWidth: report.width }, fonts.bold, 10.5);
  const bodyTop = top - HEADING_HEIGHT;
  drawRows(page, rows, { x: report.left, top: bodyTop, width: detailsWidth }, fonts);
  const panelX = report.left + report.width - SIGNATURE_PANEL.width;
  drawTextLine(page, "SIGNATURE", { x: panelX, y: bodyTop - 7 }, fonts.bold, 6.5, COLORS.muted);
  const panel = { x: panelX, y: bodyTop - 12 - SIGNATURE_PANEL.height, width: SIGNATURE_PANEL.width, height: SIGNATURE_PANEL.height };
  await drawSignaturePanel(pdf, page, panel, recipient, fonts);
  page.drawLine({
    start: { x: report.left, y: top - HEADING_HEIGHT - bodyHeight - 7 },
    end: { x: report.left + report.width, y: top - HEADING_HEIGHT - bodyHeight - 7 },
    thickness: 0.5,
    color: COLORS.rule,
  });
}

const ABOUT =
  "Certyneo issued this certificate when the envelope was completed and appended it to the signed document before sealing it. " +
  "The electronic seal (PAdES) covers every page, this certificate included: a PDF validator such as Adobe Acrobat Reader " +
  "or poppler's pdfsig detects any change made afterwards. Each SHA-256 identifies a document as it was uploaded, before " +
  "signatures were placed in it. Every step of the envelope is recorded in its audit trail, a separate hash-chained record.";

/** Appends the certificate pages to `pdf` (the caller saves). */
export async function appendCompletionCertificate(pdf: PDFDocument, input: CompletionCertificateInput): Promise<void> {
  const { envelope, documents, recipients } = input;
  const report = new ReportWriter(pdf, await fontsFor(pdf), {
    title: "Certificate of Completion",
    footer: `Certificate of completion · Envelope ${envelope.id}`,
    developmentCertificate: input.developmentCertificate,
    pageSize: appendedPageSize(pdf),
  });
  report.title([envelope.subject, `Envelope ${envelope.id} · ${envelope.status}`]);

  report.section("Envelope");
  report.rows([...envelopeRows(envelope), { label: "Certificate issued", value: formatUtc(input.generatedAt) }]);

  report.section(`Documents (${documents.length})`);
  documents.forEach((document, i) => addDocument(report, document, i));

  report.section(`Recipients (${recipients.length})`);
  for (const recipient of recipients) await addRecipient(pdf, report, recipient);

  report.section("About this certificate");
  report.paragraph(ABOUT, COLORS.muted);
  report.finish();
}
