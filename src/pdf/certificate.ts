/**
 * The certificate of completion: pages appended to the signed document that
 * say who signed what, when, from where and how they were authenticated,
 * with each document's original SHA-256. It is appended before the seal, so
 * the seal covers it too.
 */
import { formatUtc } from "../clock.ts";
import type { PDFDocument } from "pdf-lib";
import { fontsFor, textsIn } from "./fonts.ts";
import {
  appendedPageSize,
  COLORS,
  drawTextLine,
  drawRows,
  drawSignaturePanel,
  formatOptionalUtc,
  lineAt,
  type Row,
  rowsHeight,
  subBand,
} from "./render-layout.ts";
import { ReportWriter } from "./report-writer.ts";
import type { RenderDocumentInfo, RenderEnvelope, RenderRecipient } from "./render-model.ts";
import { reportTexts, type ReportKey, type ReportT } from "./report-texts.ts";

export interface CompletionCertificateInput {
  envelope: RenderEnvelope;
  /** In envelope order, with the SHA-256 of the original upload. */
  documents: RenderDocumentInfo[];
  recipients: RenderRecipient[];
  generatedAt: Date;
  /** The instance seals with its self-signed development certificate: every page says so. */
  developmentCertificate: boolean;
  /** Values cut short to fit their box on the page (stamp.ts): given here in full. */
  shortened?: ShortenedValue[];
}

/** A field value drawn cut short (ending in "…") in its box: who gave it, on which page, and all of it. */
export interface ShortenedValue {
  recipientName: string;
  page: number;
  value: string;
}

const ROLE_KEYS = { SIGNER: "roleSigner", APPROVER: "roleApprover", CC: "roleCc" } as const satisfies Record<RenderRecipient["role"], ReportKey>;
export const roleLabel = (t: ReportT, role: RenderRecipient["role"]) => t(ROLE_KEYS[role]);

const SIGNATURE_PANEL = { width: 168, height: 62, gap: 16 };

/** The envelope's identity and times; the audit trail shows the same. */
export function envelopeRows(envelope: RenderEnvelope, t: ReportT): Row[] {
  return [
    { label: t("envelopeId"), value: envelope.id, mono: true },
    { label: t("subject"), value: envelope.subject },
    { label: t("status"), value: envelope.status },
    { label: t("created"), value: formatUtc(envelope.createdAt) },
    { label: t("sent"), value: formatOptionalUtc(envelope.sentAt) },
    { label: t("completed"), value: formatOptionalUtc(envelope.completedAt) },
  ];
}

function documentRows(document: RenderDocumentInfo, t: ReportT): Row[] {
  return [
    { label: t("documentId"), value: document.id, mono: true },
    { label: t("sha256Original"), value: document.sha256, mono: true },
  ];
}

function recipientRows(recipient: RenderRecipient, t: ReportT): Row[] {
  return [
    { label: t("email"), value: recipient.email },
    { label: t("role"), value: roleLabel(t, recipient.role) },
    { label: t("status"), value: recipient.status },
    { label: t("signedUtc"), value: formatOptionalUtc(recipient.signedAt) },
    { label: t("ipAddress"), value: recipient.ip ?? "—" },
    { label: t("userAgent"), value: recipient.userAgent ?? "—" },
    { label: t("authentication"), value: recipient.authMethod },
    { label: t("recipientId"), value: recipient.id, mono: true },
    ...(recipient.reassignedFrom ? [{ label: t("reassignedFrom"), value: recipient.reassignedFrom }] : []),
  ];
}

const HEADING_HEIGHT = 16;

/** A document's name, id and original SHA-256, kept together. */
export function addDocument(report: ReportWriter, document: RenderDocumentInfo, index: number): void {
  const rows = documentRows(document, report.t);
  const { page, top } = report.reserve(HEADING_HEIGHT + rowsHeight(rows, report.width, report.fonts) + 8);
  drawTextLine(page, `${index + 1}. ${document.name}`, { ...lineAt(report.band), y: top - 11, maxWidth: report.width }, report.fonts.bold, 10);
  drawRows(page, rows, { ...report.band, top: top - HEADING_HEIGHT }, report.fonts);
}

/** Details on the starting side, the signature on the other; kept whole on one page. */
async function addRecipient(pdf: PDFDocument, report: ReportWriter, recipient: RenderRecipient): Promise<void> {
  const rows = recipientRows(recipient, report.t);
  const detailsWidth = report.width - SIGNATURE_PANEL.width - SIGNATURE_PANEL.gap;
  const bodyHeight = Math.max(rowsHeight(rows, detailsWidth, report.fonts), SIGNATURE_PANEL.height + 12);
  const { page, top } = report.reserve(HEADING_HEIGHT + bodyHeight + 14);
  const { fonts, band } = report;
  drawTextLine(page, recipient.name, { ...lineAt(band), y: top - 11, maxWidth: report.width }, fonts.bold, 10.5);
  const bodyTop = top - HEADING_HEIGHT;
  drawRows(page, rows, { ...subBand(band, 0, detailsWidth), top: bodyTop }, fonts);
  const panelBand = subBand(band, report.width - SIGNATURE_PANEL.width, SIGNATURE_PANEL.width);
  drawTextLine(page, report.t.upper(report.t("signature")), { ...lineAt(panelBand), y: bodyTop - 7 }, fonts.bold, 6.5, COLORS.muted);
  const panel = { x: panelBand.x, y: bodyTop - 12 - SIGNATURE_PANEL.height, width: SIGNATURE_PANEL.width, height: SIGNATURE_PANEL.height };
  await drawSignaturePanel(pdf, page, panel, recipient, fonts, report.t);
  page.drawLine({
    start: { x: report.left, y: top - HEADING_HEIGHT - bodyHeight - 7 },
    end: { x: report.left + report.width, y: top - HEADING_HEIGHT - bodyHeight - 7 },
    thickness: 0.5,
    color: COLORS.rule,
  });
}

/** Appends the certificate pages to `pdf` (the caller saves). */
export async function appendCompletionCertificate(pdf: PDFDocument, input: CompletionCertificateInput): Promise<void> {
  const { envelope, documents, recipients } = input;
  const t = reportTexts(envelope.locale);
  const report = new ReportWriter(pdf, await fontsFor(pdf, textsIn(input)), {
    title: t("certificateTitle"),
    footer: t("certificateFooter", { id: envelope.id }),
    developmentCertificate: input.developmentCertificate,
    pageSize: appendedPageSize(pdf),
    t,
  });
  report.title([envelope.subject, t("envelopeLine", { id: envelope.id, status: envelope.status })]);

  report.section(t("sectionEnvelope"));
  report.rows([...envelopeRows(envelope, t), { label: t("certificateIssued"), value: formatUtc(input.generatedAt) }]);

  report.section(t("sectionDocuments", { count: documents.length }));
  documents.forEach((document, i) => addDocument(report, document, i));

  report.section(t("sectionRecipients", { count: recipients.length }));
  for (const recipient of recipients) await addRecipient(pdf, report, recipient);

  // A signer's words must not be lost to a small box: what the page shows cut short is here whole.
  if (input.shortened?.length) {
    report.section(t("sectionShortened"));
    report.paragraph(t("shortenedIntro"), COLORS.muted);
    report.rows(input.shortened.map((s) => ({ label: t("shortenedWhere", { name: s.recipientName, page: String(s.page) }), value: s.value })));
  }

  report.section(t("sectionAbout"));
  report.paragraph(t("about"), COLORS.muted);
  report.finish();
}
