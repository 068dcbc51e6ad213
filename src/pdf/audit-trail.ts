/**
 * The audit-trail PDF: every audit event of an envelope in order, with the
 * hash chain that makes tampering detectable and a statement of how to check
 * it. A fresh document (the sealing service seals it like a signed one).
 */
import { PDFDocument } from "pdf-lib";
import { addDocument, envelopeRows, ROLE_LABELS } from "./certificate.ts";
import { fontsFor, textWidth } from "./fonts.ts";
import { A4, COLORS, drawTextLine, drawRows, formatUtc, ReportWriter, type Row, rowsHeight } from "./render-layout.ts";
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

const CHAIN_STATEMENT =
  "Each event is a row of an append-only hash chain. The hash of each row is SHA-256 of the previous hash and the " +
  "event's canonical JSON; the first row's previous hash is 64 zeros. To verify the trail, recompute the hashes in " +
  "order from the recorded events and compare the result with the chain head below: changing, removing, reordering " +
  "or inserting any event changes every hash after it.";

/** "recipient.signed" -> "Recipient signed": readable, while the raw type stays printed beside it. */
function eventLabel(type: string): string {
  const words = type.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Documents are named by their number in the Documents section: a hash line stays one line. */
function eventRows(event: RenderAuditEvent, documentNumbers: Map<string, number>): Row[] {
  const hashes = Object.entries(event.documentHashes ?? {}).map(([id, hash]) => ({
    label: documentNumbers.has(id) ? `SHA-256 document ${documentNumbers.get(id)}` : `SHA-256 ${id}`,
    value: hash,
    mono: true,
  }));
  return [
    { label: "Actor", value: event.actor },
    { label: "IP address", value: event.ip ?? "—" },
    { label: "User agent", value: event.userAgent ?? "—" },
    ...hashes,
    ...(event.detail ? [{ label: "Detail", value: event.detail }] : []),
    { label: "Hash", value: event.hash, mono: true },
    { label: "Previous hash", value: event.prevHash, mono: true },
  ];
}

const EVENT = { heading: 17, indent: 10, gap: 9 };

/** One event as a card: sequence, time and type on top, details below, a rule on the left. */
function addEvent(report: ReportWriter, event: RenderAuditEvent, documentNumbers: Map<string, number>): void {
  const { fonts } = report;
  const rows = eventRows(event, documentNumbers);
  const x = report.left + EVENT.indent;
  const width = report.width - EVENT.indent;
  const bodyHeight = rowsHeight(rows, width, fonts);
  const { page, top } = report.reserve(EVENT.heading + bodyHeight + EVENT.gap);
  const baseline = top - 11;
  drawTextLine(page, `#${event.seq}`, { x: report.left, y: baseline }, fonts.bold, 9.5, COLORS.accent);
  drawTextLine(page, formatUtc(event.at), { x: report.left + 42, y: baseline }, fonts.mono, 8.5);
  const labelX = report.left + 180;
  const right = report.left + report.width;
  const label = eventLabel(event.type);
  drawTextLine(page, label, { x: labelX, y: baseline, maxWidth: right - labelX }, fonts.bold, 9.5);
  const typeX = labelX + textWidth(fonts.bold, label, 9.5) + 8;
  if (typeX < right - 40) drawTextLine(page, event.type, { x: typeX, y: baseline, maxWidth: right - typeX }, fonts.mono, 7, COLORS.muted);
  page.drawLine({
    start: { x: report.left + 2, y: top - EVENT.heading + 2 },
    end: { x: report.left + 2, y: top - EVENT.heading - bodyHeight + 4 },
    thickness: 1.5,
    color: COLORS.rule,
  });
  drawRows(page, rows, { x, top: top - EVENT.heading, width }, fonts);
}

function recipientTable(report: ReportWriter, recipients: RenderRecipient[]): void {
  report.table(
    [
      { header: "Name", width: 0.3 },
      { header: "E-mail", width: 0.34 },
      { header: "Role", width: 0.18 },
      { header: "Status", width: 0.18 },
    ],
    recipients.map((r) => [r.name, r.email, ROLE_LABELS[r.role], r.status]),
  );
}

function chainRows(input: AuditTrailInput): Row[] {
  const { chain } = input;
  return [
    { label: "Algorithm", value: "SHA-256" },
    { label: "Events", value: String(input.events.length) },
    { label: "Chain head", value: chain.head, mono: true },
    {
      label: "Links",
      value: chain.valid
        ? `Verified when this trail was generated (${formatUtc(input.generatedAt)})`
        : `BROKEN: ${chain.reason ?? "the hashes do not match the events"}`,
    },
  ];
}

export async function renderAuditTrail(unsorted: AuditTrailInput): Promise<Uint8Array> {
  const input = { ...unsorted, events: [...unsorted.events].sort((a, b) => a.seq - b.seq) };
  const { envelope } = input;
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(`Audit trail — ${envelope.subject}`);
  pdf.setSubject(`Envelope ${envelope.id}`);
  pdf.setProducer("Certyneo");
  pdf.setCreationDate(input.generatedAt);
  pdf.setModificationDate(input.generatedAt);

  const report = new ReportWriter(pdf, await fontsFor(pdf), {
    title: "Audit Trail",
    footer: `Audit trail · Envelope ${envelope.id} · Generated ${formatUtc(input.generatedAt)}`,
    developmentCertificate: input.developmentCertificate,
    pageSize: A4,
  });
  report.title([envelope.subject, `Envelope ${envelope.id} · ${envelope.status} · generated ${formatUtc(input.generatedAt)}`]);

  report.section("Envelope");
  report.rows(envelopeRows(envelope));

  report.section(`Documents (${input.documents.length})`);
  input.documents.forEach((document, i) => addDocument(report, document, i));

  report.section(`Recipients (${input.recipients.length})`);
  recipientTable(report, input.recipients);

  report.section("Hash chain");
  report.paragraph(CHAIN_STATEMENT, COLORS.muted);
  report.rows(chainRows(input));

  report.section(`Events (${input.events.length})`);
  const documentNumbers = new Map(input.documents.map((d, i) => [d.id, i + 1]));
  for (const event of input.events) addEvent(report, event, documentNumbers);
  if (input.events.length === 0) report.paragraph("No events recorded yet.", COLORS.muted);

  report.finish();
  return pdf.save();
}
