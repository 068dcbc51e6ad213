/**
 * The audit-trail PDF: every audit event of an envelope in order, with the
 * hash chain that makes tampering detectable and a statement of how to check
 * it. A fresh document (the sealing service seals it like a signed one).
 */
import { formatUtc } from "../clock.ts";
import { PDFDocument } from "pdf-lib";
import { savePdf } from "./document-io.ts";
import { addDocument, envelopeRows, roleLabel } from "./certificate.ts";
import { reportTexts, type ReportT } from "./report-texts.ts";
import { fontsFor, textsIn, textWidth } from "./fonts.ts";
import { A4, boxAt, COLORS, drawTextLine, drawRows, lineAt, type Row, rowsHeight, subBand } from "./render-layout.ts";
import { ReportWriter } from "./report-writer.ts";
import type { RenderAuditEvent, RenderDocumentInfo, RenderEnvelope, RenderRecipient } from "./render-model.ts";

export interface AuditTrailInput {
  envelope: RenderEnvelope;
  documents: RenderDocumentInfo[];
  recipients: RenderRecipient[];
  events: RenderAuditEvent[];
  /** The domain's verification of the chain (every hash recomputed): printed, not redone here. */
  chain: { valid: boolean; head: string; reason?: string };
  generatedAt: Date;
  developmentCertificate: boolean;
}

/** Documents are named by their number in the Documents section: a hash line stays one line. */
function eventRows(event: RenderAuditEvent, documentNumbers: Map<string, number>, t: ReportT): Row[] {
  const hashes = Object.entries(event.documentHashes ?? {}).map(([id, hash]) => ({
    label: documentNumbers.has(id) ? t("sha256Document", { n: documentNumbers.get(id)! }) : `SHA-256 ${id}`,
    value: hash,
    mono: true,
  }));
  return [
    { label: t("actor"), value: event.actor },
    { label: t("ipAddress"), value: event.ip ?? "—" },
    { label: t("userAgent"), value: event.userAgent ?? "—" },
    ...hashes,
    ...(event.detail ? [{ label: t("detail"), value: event.detail }] : []),
    { label: t("hash"), value: event.hash, mono: true },
    { label: t("previousHash"), value: event.prevHash, mono: true },
  ];
}

const EVENT = { heading: 17, indent: 10, gap: 9 };

/** One event as a card: sequence, time and type on top, details below, a rule on the starting side. */
function addEvent(report: ReportWriter, event: RenderAuditEvent, documentNumbers: Map<string, number>): void {
  const { fonts, band } = report;
  const rows = eventRows(event, documentNumbers, report.t);
  const width = report.width - EVENT.indent;
  const bodyHeight = rowsHeight(rows, width, fonts);
  const { page, top } = report.reserve(EVENT.heading + bodyHeight + EVENT.gap);
  const baseline = top - 11;
  drawTextLine(page, `#${event.seq}`, { ...lineAt(band), y: baseline }, fonts.bold, 9.5, COLORS.accent);
  drawTextLine(page, formatUtc(event.at), { ...lineAt(band, 42), y: baseline }, fonts.mono, 8.5);
  const labelAt = 180;
  // Readable, while the raw type stays printed beside it.
  const label = report.t.eventLabel(event.type);
  drawTextLine(page, label, { ...lineAt(band, labelAt), y: baseline, maxWidth: report.width - labelAt }, fonts.bold, 9.5);
  const typeAt = labelAt + textWidth(fonts.bold, label, 9.5) + 8;
  if (typeAt < report.width - 40) drawTextLine(page, event.type, { ...lineAt(band, typeAt), y: baseline, maxWidth: report.width - typeAt }, fonts.mono, 7, COLORS.muted);
  const ruleX = boxAt(band, 2, 0);
  page.drawLine({
    start: { x: ruleX, y: top - EVENT.heading + 2 },
    end: { x: ruleX, y: top - EVENT.heading - bodyHeight + 4 },
    thickness: 1.5,
    color: COLORS.rule,
  });
  drawRows(page, rows, { ...subBand(band, EVENT.indent, width), top: top - EVENT.heading }, fonts);
}

function recipientTable(report: ReportWriter, recipients: RenderRecipient[]): void {
  report.table(
    [
      { header: report.t("name"), width: 0.3 },
      { header: report.t("email"), width: 0.34 },
      { header: report.t("role"), width: 0.18 },
      { header: report.t("status"), width: 0.18 },
    ],
    recipients.map((r) => [r.name, r.email, roleLabel(report.t, r.role), r.status]),
  );
}

function chainRows(input: AuditTrailInput, t: ReportT): Row[] {
  const { chain } = input;
  return [
    { label: t("algorithm"), value: "SHA-256" },
    { label: t("events"), value: String(input.events.length) },
    { label: t("chainHead"), value: chain.head, mono: true },
    {
      label: t("links"),
      value: chain.valid
        ? t("verified", { time: formatUtc(input.generatedAt) })
        : t("broken", { reason: chain.reason ?? t("brokenDefault") }),
    },
  ];
}

export async function renderAuditTrail(unsorted: AuditTrailInput): Promise<Uint8Array> {
  const input = { ...unsorted, events: [...unsorted.events].sort((a, b) => a.seq - b.seq) };
  const { envelope } = input;
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const t = reportTexts(envelope.locale);
  pdf.setTitle(t("auditDocumentTitle", { subject: envelope.subject }));
  pdf.setSubject(`Envelope ${envelope.id}`);
  pdf.setProducer("Certyneo");
  pdf.setCreationDate(input.generatedAt);
  pdf.setModificationDate(input.generatedAt);

  const report = new ReportWriter(pdf, await fontsFor(pdf, textsIn(input)), {
    title: t("auditTitle"),
    footer: t("auditFooter", { id: envelope.id, time: formatUtc(input.generatedAt) }),
    developmentCertificate: input.developmentCertificate,
    pageSize: A4,
    t,
  });
  report.title([envelope.subject, t("auditLine", { id: envelope.id, status: envelope.status, time: formatUtc(input.generatedAt) })]);

  report.section(t("sectionEnvelope"));
  report.rows(envelopeRows(envelope, t));

  report.section(t("sectionDocuments", { count: input.documents.length }));
  input.documents.forEach((document, i) => addDocument(report, document, i));

  report.section(t("sectionRecipients", { count: input.recipients.length }));
  recipientTable(report, input.recipients);

  report.section(t("sectionChain"));
  report.paragraph(t("chainStatement"), COLORS.muted);
  report.rows(chainRows(input, t));

  report.section(t("sectionEvents", { count: input.events.length }));
  const documentNumbers = new Map(input.documents.map((d, i) => [d.id, i + 1]));
  for (const event of input.events) addEvent(report, event, documentNumbers);
  if (input.events.length === 0) report.paragraph(t("noEvents"), COLORS.muted);

  report.finish();
  return savePdf(pdf);
}
