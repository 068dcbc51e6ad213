// Certificate of completion and audit-trail PDFs: content a verifier needs, Unicode, pagination.
import { describe, expect, test } from "bun:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { LOCALES } from "../../src/enums.ts";
import { renderAuditTrail } from "../../src/pdf/audit-trail.ts";
import { EVENT_LABELS, REPORT_TEXTS } from "../../src/pdf/report-texts.ts";
import type { RenderDocument } from "../../src/pdf/render-model.ts";
import { stampDocument } from "../../src/pdf/stamp.ts";
import { auditEvents, ENVELOPE, pdftotext, qpdfCheck, recipient, UNICODE_SIGNERS } from "./render-fixtures.ts";

const BANNER = "DEVELOPMENT CERTIFICATE — NOT FOR PRODUCTION";

async function letterPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([612, 792]).drawText("Master services agreement", { x: 72, y: 720, size: 14, font });
  return pdf.save();
}

const DOCUMENT: RenderDocument = {
  id: "doc_01HZX3MSA",
  name: "Master services agreement — Ωmega.pdf",
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  bytes: new Uint8Array(),
};

const pageCount = async (bytes: Uint8Array) => (await PDFDocument.load(bytes)).getPageCount();

describe("certificate of completion", () => {
  test("lists the envelope, each document's original SHA-256 and every recipient's evidence", async () => {
    const approver = recipient({ id: "rcp_approver", name: "Ana Approver", role: "APPROVER", signature: null, ip: "2001:db8::17" });
    const recipients = [...UNICODE_SIGNERS, approver];
    const bytes = await letterPdf();
    const out = await stampDocument({ ...DOCUMENT, bytes }, recipients, [], {
      appendSignaturePage: false,
      certificate: { envelope: ENVELOPE, documents: [DOCUMENT], recipients, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false },
    });
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out, "-f", "2");
    for (const expected of [
      "Certificate of Completion",
      ENVELOPE.id,
      ENVELOPE.subject,
      "COMPLETED",
      DOCUMENT.name,
      DOCUMENT.sha256,
      "2026-03-13 16:02:11 UTC",
      "2026-03-14 09:27:00 UTC",
      "2001:db8::17",
      "e-mail link",
      "Approver",
      "No signature (approver)",
      "Page 1 of",
      ...recipients.flatMap((r) => [r.name, r.email]),
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain("Chrome/126.0");
    expect(text).not.toContain(BANNER);
    // Appended after the document's own page, at the document's page size (US Letter here).
    const pdf = await PDFDocument.load(out);
    expect(pdf.getPage(1).getSize()).toEqual({ width: 612, height: 792 });
  });

  test("says loudly on every page when the instance seals with its development certificate", async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => recipient({ id: `rcp_${i}`, name: `Signer ${i} Ødegård` }));
    const out = await stampDocument({ ...DOCUMENT, bytes: await letterPdf() }, recipients, [], {
      appendSignaturePage: false,
      certificate: { envelope: ENVELOPE, documents: [DOCUMENT], recipients, generatedAt: new Date(), developmentCertificate: true },
    });
    const pages = await pageCount(out);
    expect(pages).toBeGreaterThan(3); // 1 document page + a multi-page certificate
    for (let page = 2; page <= pages; page++) {
      const text = pdftotext(out, "-f", String(page), "-l", String(page));
      expect(text).toContain(BANNER);
      expect(text).toContain(`Page ${page - 1} of ${pages - 1}`);
    }
    expect(pdftotext(out)).toContain("Signer 11 Ødegård");
  });
});

describe("audit trail", () => {
  const input = (count: number) => {
    const events = auditEvents(count, DOCUMENT.id);
    return {
      envelope: ENVELOPE,
      documents: [DOCUMENT],
      recipients: UNICODE_SIGNERS,
      events,
      chain: { valid: true, head: events.at(-1)?.hash ?? "0".repeat(64) },
      generatedAt: new Date("2026-03-14T10:00:00Z"),
      developmentCertificate: false,
    };
  };

  test("lists every event in order with its evidence, the chain head and how to verify it", async () => {
    const trail = input(6);
    const out = await renderAuditTrail({ ...trail, events: [...trail.events].reverse() });
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out).replace(/\s+/g, " ");
    for (const expected of [
      "Audit Trail",
      ENVELOPE.id,
      DOCUMENT.name,
      DOCUMENT.sha256,
      "Γιώργος Παπαδόπουλος <giorgos@example.gr>",
      "Юлия Кузнецова",
      "198.51.100.23",
      "iPhone OS 17_4",
      "Reminder e-mail delivered",
      "ab".repeat(32),
      trail.chain.head,
      "The hash of each row is SHA-256 of the previous hash and the event's canonical JSON",
      "64 zeros",
      "Verified when this trail was generated",
      "Generated 2026-03-14 10:00:00 UTC",
    ]) {
      expect(text).toContain(expected);
    }
    // In sequence order whatever order they came in, each with its UTC time.
    const order = [...text.matchAll(/#(\d+) /g)].map((m) => Number(m[1]));
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
    for (const event of trail.events) expect(text).toContain(`${event.at.toISOString().slice(0, 19).replace("T", " ")} UTC`);
    expect(text).not.toContain(BANNER);
  });

  test("a long trail runs over numbered pages, every event kept", async () => {
    const trail = input(240);
    const out = await renderAuditTrail({ ...trail, developmentCertificate: true });
    expect(qpdfCheck(out).code).toBe(0);
    const pages = await pageCount(out);
    expect(pages).toBeGreaterThan(20);
    const text = pdftotext(out);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text.split(BANNER).length - 1).toBe(pages);
    const seqs = [...text.matchAll(/#(\d+)\s/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
  }, 60_000);

  test("an envelope with no events yet still renders", async () => {
    const out = await renderAuditTrail(input(0));
    expect(pdftotext(out)).toContain("EVENTS (0)");
    expect(pdftotext(out)).toContain("No events recorded yet.");
  });

  test("a chain the domain found broken is flagged in the PDF", async () => {
    const trail = { ...input(4), chain: { valid: false, head: "f".repeat(64), reason: "prevHash does not match the previous event's hash" } };
    expect(pdftotext(await renderAuditTrail(trail)).replace(/\s+/g, " ")).toContain("BROKEN: prevHash does not match the previous event's hash");
  });
});

describe("values cut short in their box", () => {
  const long = Array.from({ length: 60 }, (_, i) => `clause${i}`).join(" ");
  const ana = recipient({ id: "rcp_long", name: "Ana Silva" });
  const stamp = async (value: string) => stampDocument({ ...DOCUMENT, bytes: await letterPdf() }, [ana], [
    { id: "f_long", recipientId: ana.id, documentId: DOCUMENT.id, type: "text", page: 1, x: 72, y: 100, width: 120, height: 14, value },
  ], { appendSignaturePage: false, certificate: { envelope: ENVELOPE, documents: [DOCUMENT], recipients: [ana], generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false } });

  test("the page shows the value cut with an ellipsis; the certificate gives it in full, with who and which page", async () => {
    const out = await stamp(long);
    expect(qpdfCheck(out).code).toBe(0);
    const onPage = pdftotext(out, "-f", "1", "-l", "1");
    expect(onPage).toContain("…");
    expect(onPage).not.toContain("clause59");
    const certificate = pdftotext(out, "-f", "2").replace(/\s+/g, " ");
    expect(certificate).toMatch(/values shortened on the page/i);
    expect(certificate).toContain("Ana Silva, page 1");
    expect(certificate).toContain(long);
  });

  test("a value that fits gets no such section", async () => {
    const certificate = pdftotext(await stamp("Lisbon"), "-f", "2");
    expect(certificate).not.toMatch(/values shortened/i);
  });
});

describe("hostile inputs", () => {
  const weird = "山田太郎 😀 𓀀 \u202Eevil\u200D \x00\x07tab\tnew\nline " + "Ω".repeat(300);
  const someone = recipient({ id: "rcp_weird", name: weird, email: `${"x".repeat(200)}@example.com`, userAgent: "Agent/1 ".repeat(700) });

  test("odd characters and huge values are drawn, replaced or cut, never thrown on", async () => {
    const out = await stampDocument(
      { ...DOCUMENT, bytes: await letterPdf() },
      [someone],
      [{ id: "f", recipientId: someone.id, documentId: DOCUMENT.id, type: "text", page: 1, x: 72, y: 100, width: 200, height: 30, value: weird }],
      {
        appendSignaturePage: true,
        certificate: { envelope: { ...ENVELOPE, subject: weird }, documents: [{ ...DOCUMENT, name: weird }], recipients: [someone], generatedAt: new Date(), developmentCertificate: false },
      },
    );
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out);
    expect(text).toContain("evil");
    expect(text).toContain("山田太郎 😀 \uFFFD"); // CJK and emoji drawn; a hieroglyph: no embedded face has it
    expect(text).not.toContain("\u202E");
  });

  test("an audit trail with a huge event detail stays within its page", async () => {
    const events = auditEvents(2, DOCUMENT.id).map((e) => ({ ...e, detail: weird.repeat(20), userAgent: someone.userAgent }));
    const out = await renderAuditTrail({
      envelope: ENVELOPE,
      documents: [DOCUMENT],
      recipients: [someone],
      events,
      chain: { valid: true, head: events[1]!.hash },
      generatedAt: new Date(),
      developmentCertificate: false,
    });
    expect(qpdfCheck(out).code).toBe(0);
    expect(pdftotext(out)).toContain("…");
  });
});

describe("in the envelope's language", () => {
  test("every language names the same audit event types", () => {
    for (const locale of LOCALES) if (locale !== "en") expect(Object.keys(EVENT_LABELS[locale]).sort(), locale).toEqual(Object.keys(EVENT_LABELS.fr).sort());
  });

  test("every language has every text of the generated pages, with the same placeholders as English", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(REPORT_TEXTS[locale]).sort()).toEqual(Object.keys(REPORT_TEXTS.en).sort());
      for (const [key, text] of Object.entries(REPORT_TEXTS[locale])) {
        expect(text.trim().length, `${locale}.${key}`).toBeGreaterThan(0);
        expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(REPORT_TEXTS.en[key as keyof typeof REPORT_TEXTS.en]));
      }
    }
  });

  test("the certificate, the signature page and the audit trail in Greek", async () => {
    const envelope = { ...ENVELOPE, locale: "el" as const };
    const bytes = await letterPdf();
    // One of them took the place of someone who handed it over: the certificate says so in Greek too.
    const signers = UNICODE_SIGNERS.map((r, i) => (i ? r : { ...r, reassignedFrom: "Νίκος <nikos@example.gr>: σε άδεια" }));
    const certificate = await stampDocument({ ...DOCUMENT, bytes }, signers, [], {
      appendSignaturePage: true,
      locale: "el",
      certificate: { envelope, documents: [DOCUMENT], recipients: signers, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: true },
    });
    const text = pdftotext(certificate, "-f", "2");
    for (const expected of ["Υπογραφές", "Πιστοποιητικό ολοκλήρωσης", "Υπογράφων", "Σελίδα 1 από", "ΠΙΣΤΟΠΟΙΗΤΙΚΟ ΑΝΑΠΤΥΞΗΣ", "Το Certyneo εξέδωσε αυτό το πιστοποιητικό", "Μεταβιβάστηκε από"]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain("Certificate of Completion");
    expect(text).not.toContain("Reassigned from");
    const trail = pdftotext(await renderAuditTrail({
      envelope, documents: [DOCUMENT], recipients: UNICODE_SIGNERS, events: auditEvents(3, DOCUMENT.id),
      chain: { valid: true, head: "ab".repeat(32) }, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false,
    }));
    for (const expected of ["Ίχνος ελέγχου", "Κεφαλή αλυσίδας", "Προηγούμενος κατακερματισμός", "Επαληθεύτηκε κατά τη δημιουργία", "ΑΛΥΣΙΔΑ ΚΑΤΑΚΕΡΜΑΤΙΣΜΟΥ", "Δημιουργία φακέλου", "Αποστολή φακέλου"]) {
      expect(trail).toContain(expected);
    }
  });

  test("the certificate and the audit trail in Arabic: right to left, extracted in logical order", async () => {
    const envelope = { ...ENVELOPE, locale: "ar" as const };
    const bytes = await letterPdf();
    const certificate = await stampDocument({ ...DOCUMENT, bytes }, UNICODE_SIGNERS, [], {
      appendSignaturePage: true,
      locale: "ar",
      certificate: { envelope, documents: [DOCUMENT], recipients: UNICODE_SIGNERS, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false },
    });
    expect(qpdfCheck(certificate).code).toBe(0);
    const text = pdftotext(certificate, "-f", "2");
    for (const expected of ["شهادة الإتمام", "التوقيعات", "حول هذه الشهادة", "معرّف المغلف"]) expect(text).toContain(expected);
    expect(text).not.toContain("\uFFFD");
    expect(text).not.toContain("Certificate of Completion");
    const trail = pdftotext(await renderAuditTrail({
      envelope, documents: [DOCUMENT], recipients: UNICODE_SIGNERS, events: auditEvents(3, DOCUMENT.id),
      chain: { valid: true, head: "ab".repeat(32) }, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false,
    }));
    for (const expected of ["سجل التدقيق", "رأس السلسلة", "إنشاء المغلف"]) expect(trail).toContain(expected);
  });

  test("in Arabic the pages are mirrored: headings, labels and the first column on the right", async () => {
    /** Each word's box on page `page` (pdftotext -bbox), for words drawn in Latin or Greek letters. */
    const words = (bytes: Uint8Array, page: number) =>
      [...pdftotext(bytes, "-bbox", "-f", String(page), "-l", String(page)).matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<\/word>/g)]
        .map(([, xMin, xMax, text]) => ({ text: text!, xMin: Number(xMin), xMax: Number(xMax) }));
    const box = (ws: ReturnType<typeof words>, text: string) => ws.find((w) => w.text === text) ?? expect.unreachable(`no word ${text}`);
    const render = async (locale: "ar" | "en") => {
      const envelope = { ...ENVELOPE, locale };
      const stamped = await stampDocument({ ...DOCUMENT, bytes: await letterPdf() }, UNICODE_SIGNERS, [], {
        appendSignaturePage: true,
        locale,
        certificate: { envelope, documents: [DOCUMENT], recipients: UNICODE_SIGNERS, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false },
      });
      const trail = await renderAuditTrail({
        envelope, documents: [DOCUMENT], recipients: UNICODE_SIGNERS, events: auditEvents(3, DOCUMENT.id),
        chain: { valid: true, head: "ab".repeat(32) }, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false,
      });
      // Page 2 is the signature page, 3 the certificate's first; the trail is A4.
      return { signatures: words(stamped, 2), certificate: words(stamped, 3), trail: words(trail, 1) };
    };
    // Letter: content from x 50 to 562, labels 110 wide; A4: to 545.28.
    const [ar, en] = [await render("ar"), await render("en")];
    expect(box(en.certificate, "CERTYNEO").xMin).toBeCloseTo(50, 1);
    expect(box(ar.certificate, "CERTYNEO").xMax).toBeCloseTo(562, 1);
    expect(box(en.certificate, DOCUMENT.sha256).xMin).toBeCloseTo(160, 1);
    expect(box(ar.certificate, DOCUMENT.sha256).xMax).toBeCloseTo(452, 1);
    const [first, second] = [UNICODE_SIGNERS[0]!.email, UNICODE_SIGNERS[1]!.email];
    expect(box(en.signatures, first).xMin).toBeCloseTo(50, 1);
    expect(box(en.signatures, second).xMin).toBeGreaterThan(300);
    expect(box(ar.signatures, first).xMax).toBeCloseTo(562, 1);
    expect(box(ar.signatures, second).xMax).toBeLessThan(300);
    expect(box(en.trail, "#1").xMin).toBeCloseTo(50, 1);
    expect(box(ar.trail, "#1").xMax).toBeCloseTo(545.28, 1);
  });
});
