// Names in every script: drawn with an embedded face that has their glyphs (subset, so the PDF
// stays small), right-to-left names laid out right to left and extracted in logical order by
// pdftotext, and every embedded glyph with an outline (none blank).
import { describe, expect, test } from "bun:test";
import fontkit from "@pdf-lib/fontkit";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, StandardFonts, decodePDFRawStream } from "pdf-lib";
import { renderAuditTrail } from "../../src/pdf/audit-trail.ts";
import { stampDocument } from "../../src/pdf/stamp.ts";
import type { RenderDocument, RenderField } from "../../src/pdf/render-model.ts";
import { auditEvents, ENVELOPE, pdftotext, qpdfCheck, recipient } from "./render-fixtures.ts";

const NAMES = {
  chinese: "王小明",
  japanese: "山田太郎",
  korean: "김민준",
  arabic: "محمد علي",
  hebrew: "דוד כהן",
  hindi: "राहुल शर्मा",
  thai: "สมชาย ใจดี",
  greek: "Γιώργος Παπαδόπουλος",
};
const SIGNERS = Object.entries(NAMES).map(([id, name]) => recipient({ id: `rcp_${id}`, name, email: `${id}@example.com` }));

async function onePager(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([595.28, 841.89]).drawText("Agreement", { x: 72, y: 760, size: 14, font });
  return pdf.save();
}

const DOCUMENT: RenderDocument = { id: "doc_scripts", name: "合同 — عقد — חוזה.pdf", sha256: "ab".repeat(32), bytes: new Uint8Array() };

/** Every embedded TrueType subset of the PDF, parsed: its glyphs must have outlines. */
function embeddedFonts(pdf: PDFDocument) {
  const out: { name: string; font: any }[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of("Type")) !== PDFName.of("FontDescriptor")) continue;
    const file = object.lookup(PDFName.of("FontFile2"));
    if (!(file instanceof PDFRawStream)) continue;
    out.push({ name: String(object.get(PDFName.of("FontName"))), font: fontkit.create(Buffer.from(decodePDFRawStream(file).decode())) });
  }
  return out;
}

/** The words of `value` stamped in a text field from x 72 to 472, where pdftotext -bbox finds them. */
async function fieldWords(value: string, box = { width: 400, height: 24 }) {
  const arabic = recipient({ id: "rcp_ar", name: "محمد علي" });
  const out = await stampDocument({ ...DOCUMENT, bytes: await onePager() }, [arabic], [
    { id: "fld_ar", recipientId: arabic.id, documentId: DOCUMENT.id, type: "text", page: 1, x: 72, y: 200, ...box, value },
  ], { appendSignaturePage: false });
  return [...pdftotext(out, "-bbox").matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<\/word>/g)]
    .map((m) => ({ xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), text: m[4]! }))
    .filter((w) => w.text !== "Agreement");
}

describe("names in every script", () => {
  test("stamped fields, the signature page and the certificate: each name in a face that has it, RTL in logical order", async () => {
    const bytes = await onePager();
    const fields: RenderField[] = SIGNERS.map((s, i) => ({
      id: `fld_${i}`, recipientId: s.id, documentId: DOCUMENT.id, type: "text", page: 1,
      x: 72, y: 120 + i * 40, width: 300, height: 24, value: s.name,
    }));
    const out = await stampDocument({ ...DOCUMENT, bytes }, SIGNERS, fields, {
      appendSignaturePage: true,
      certificate: { envelope: ENVELOPE, documents: [DOCUMENT], recipients: SIGNERS, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false },
    });
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out).replace(/[\u202a-\u202e]/g, "");
    for (const name of Object.values(NAMES)) expect(text).toContain(name);
    expect(text).not.toContain("\uFFFD");
    expect(text).toContain("عقد");

    const pdf = await PDFDocument.load(out);
    const fonts = embeddedFonts(pdf);
    // The script faces are there, as subsets: a few glyphs each, not whole fonts.
    for (const face of ["NotoSansSC", "NotoSansKR", "NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari", "NotoSansThai"]) {
      const found = fonts.find((f) => f.name.includes(face));
      expect(found, face).toBeDefined();
      expect(found!.font.numGlyphs).toBeLessThan(80);
    }
    // No blank glyph: every glyph but .notdef and the spaces has an outline.
    for (const { name, font } of fonts) {
      for (let id = 1; id < font.numGlyphs; id++) {
        const glyph = font.getGlyph(id);
        if (glyph.codePoints.every((cp: number) => cp === 0x20 || cp === 0xa0)) continue;
        expect({ name, id, commands: glyph.path.commands.length > 0 }).toEqual({ name, id, commands: true });
      }
    }
    // The 10 MB CJK face costs this PDF a few kilobytes.
    expect(out.length - bytes.length).toBeLessThan(400_000);
  });

  test("emoji in a typed signature, a field and the certificate are drawn in Noto Emoji's outlines, not as U+FFFD", async () => {
    // 😀 is one DejaVu Sans has and the signature faces lack: it still comes from Noto Emoji.
    const ana = recipient({ id: "rcp_emoji", name: "Ana 🌻 Silva 😀" });
    const out = await stampDocument({ ...DOCUMENT, bytes: await onePager() }, [ana], [
      { id: "fld_sig", recipientId: ana.id, documentId: DOCUMENT.id, type: "signature", page: 1, x: 72, y: 300, width: 200, height: 40, value: null },
      { id: "fld_txt", recipientId: ana.id, documentId: DOCUMENT.id, type: "text", page: 1, x: 72, y: 200, width: 300, height: 24, value: "Lisbon ☀️ 👍" },
    ], {
      appendSignaturePage: false,
      certificate: { envelope: ENVELOPE, documents: [DOCUMENT], recipients: [ana], generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false },
    });
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out);
    expect(text).not.toContain("\uFFFD");
    for (const emoji of ["🌻", "😀", "👍", "☀"]) expect(text).toContain(emoji);
    const fonts = embeddedFonts(await PDFDocument.load(out));
    const emoji = fonts.find((f) => f.name.includes("NotoEmoji"));
    expect(emoji).toBeDefined();
    // A subset: the few glyphs used (🌻, 😀 and 👍 with their outlines; a space between runs has none).
    expect(emoji!.font.numGlyphs).toBeLessThan(10);
    const outlined = Array.from({ length: emoji!.font.numGlyphs - 1 }, (_, i) => emoji!.font.getGlyph(i + 1)).filter((g) => g.path.commands.length > 0);
    expect(outlined.length).toBeGreaterThanOrEqual(3);
    // Alone in a signature: DejaVu Sans has 😀, the signature's italic does not; Noto Emoji draws it.
    const smiley = recipient({ id: "rcp_smiley", name: "Zoë 😀" });
    const signed = await stampDocument({ ...DOCUMENT, bytes: await onePager() }, [smiley], [
      { id: "fld_sig", recipientId: smiley.id, documentId: DOCUMENT.id, type: "signature", page: 1, x: 72, y: 300, width: 200, height: 40, value: null },
    ], { appendSignaturePage: false });
    expect(pdftotext(signed)).toContain("Zoë 😀");
    // A document without emoji does not embed the face.
    const plain = await stampDocument({ ...DOCUMENT, bytes: await onePager() }, [recipient({ id: "rcp_plain", name: "Ana Silva" })], [], { appendSignaturePage: true });
    expect(embeddedFonts(await PDFDocument.load(plain)).some((f) => f.name.includes("NotoEmoji"))).toBe(false);
  });

  test("emoji sequences are drawn as one emoji each: joined by ZWJ, with a skin tone, with a variation selector, a flag", async () => {
    // Each word as wide as the single emoji before them: drawn apart, "👨‍👩‍👧" took three emoji's width.
    const words = await fieldWords("🌻 👨‍👩‍👧 👩🏽‍💻 👍🏽 ❤️ 🇫🇷");
    expect(words).toHaveLength(6);
    const width = (w: { xMin: number; xMax: number }) => w.xMax - w.xMin;
    for (const word of words.slice(1)) expect(width(word), word.text).toBeCloseTo(width(words[0]!), 1);
    // A reader copies the joined sequences whole (a ligature's text is what it was made of).
    expect(words.map((w) => w.text)).toContain("👨‍👩‍👧");
    expect(words.map((w) => w.text)).toContain("👩🏽‍💻");
  });

  test("right-to-left names are drawn right to left: the first letter is the rightmost", async () => {
    const bytes = await onePager();
    const hebrew = recipient({ id: "rcp_he", name: "דוד כהן" });
    const out = await stampDocument({ ...DOCUMENT, bytes }, [hebrew], [
      { id: "fld_he", recipientId: hebrew.id, documentId: DOCUMENT.id, type: "text", page: 1, x: 72, y: 200, width: 300, height: 24, value: "דוד כהן" },
    ], { appendSignaturePage: false });
    // pdftotext -bbox lists each word where it is drawn, its letters as drawn (right to left).
    const words = [...pdftotext(out, "-bbox").matchAll(/<word xMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((m) => ({ x: Number(m[1]), text: m[2]! }));
    const first = words.find((w) => w.text === "דוד")!;
    const second = words.find((w) => w.text === [..."כהן"].reverse().join(""))!;
    expect(first.x).toBeGreaterThan(second.x);
  });

  test("a line that starts in Arabic reads from the right: its e-mail, numbers and brackets sit where an Arabic reader expects them", async () => {
    /** The words of `value`, left to right as drawn, each Arabic one as ARABIC. */
    const drawn = async (value: string) => (await fieldWords(value))
      .sort((a, b) => a.xMin - b.xMin)
      .map((w) => (/[\u0600-\u06FF\uFE70-\uFEFF]/.test(w.text) ? "ARABIC" : w.text));
    // "Page 1 of 2": read from the right, the 1 comes first.
    expect(await drawn("الصفحة 1 من 2")).toEqual(["2", "ARABIC", "1", "ARABIC"]);
    // "3 documents": a leading number does not make the line read from the left.
    expect(await drawn("3 مستندات")).toEqual(["ARABIC", "3"]);
    // "Documents (3)": the count in brackets, opening towards it, on the left end.
    expect(await drawn("المستندات (3)")).toEqual(["(3)", "ARABIC"]);
    // "…by e-mail to ana@example.com": the address last, so on the left, in its own order.
    expect(await drawn("بالبريد الإلكتروني إلى ana@example.com")).toEqual(["ana@example.com", "ARABIC", "ARABIC", "ARABIC"]);
    // A line that starts in Latin letters keeps reading from the left.
    expect(await drawn("SHA-256 (الأصل)")).toEqual(["SHA-256", "ARABIC"]);
  });

  test("numbers, signs and embedded phrases are placed by the Unicode bidirectional algorithm", async () => {
    /** The words of `value` left to right as drawn, each right-to-left word given back in its logical order. */
    const drawn = async (value: string) => (await fieldWords(value))
      .sort((a, b) => a.xMin - b.xMin)
      .map((w) => (/[\u0590-\u05FF\u0600-\u06FF\uFE70-\uFEFF]/.test(w.text) && !/^[\u0660-\u0669\u06F0-\u06F9]+$/.test(w.text) ? [...w.text].reverse().join("") : w.text));
    // Arabic-Indic and Persian digits read from the left, as any number does (they were drawn reversed: 123 as 321).
    expect(await drawn("رقم ١٢٣ هنا")).toEqual(["هنا", "١٢٣", "رقم"]);
    expect(await drawn("۱۲۳ فارسی")).toEqual(["فارسی", "۱۲۳"]);
    // An Arabic phrase inside a line that reads from the left is one right-to-left stretch, its number inside it.
    expect(await drawn("Total مجموع 123 ريال")).toEqual(["Total", "ريال", "123", "مجموع"]);
    // In Hebrew a number keeps its sign and its separators; a currency sign after a space takes the line's direction.
    expect(await drawn("מספר #1")).toEqual(["#1", "מספר"]);
    expect(await drawn("הסכום: 1,000.50 ₪")).toEqual(["₪", "1,000.50", "הסכום:"]);
  });

  test("in a field, a line that reads from the right starts at the box's right edge; one that reads from the left at its left edge", async () => {
    const extent = async (value: string) => {
      const words = await fieldWords(value);
      return { left: Math.min(...words.map((w) => w.xMin)), right: Math.max(...words.map((w) => w.xMax)) };
    };
    // The box runs from x 72 to 472, its text inset by 2.
    const rtl = await extent("3 مستندات");
    expect(rtl.right).toBeCloseTo(470, 0);
    expect(rtl.left).toBeGreaterThan(300);
    const ltr = await extent("3 documents");
    expect(ltr.left).toBeCloseTo(74, 0);
    expect(ltr.right).toBeLessThan(250);
  });

  test("every line of a wrapped Arabic paragraph reads from the right, one that starts with Latin words too", async () => {
    // "Company name: Acme International Holdings Limited", wrapped in a box 160 wide (x 72 to 232, text inset by 2).
    const words = await fieldWords("اسم الشركة Acme International Holdings Limited", { width: 160, height: 40 });
    // Words of one line: their tops differ by face (Arabic and Latin), by less than a line's height.
    const lines: (typeof words)[] = [];
    for (const w of [...words].sort((a, b) => a.yMin - b.yMin)) {
      const line = lines.at(-1);
      if (line && w.yMin - line[0]!.yMin < 8) line.push(w);
      else lines.push([w]);
    }
    expect(lines.length).toBe(2);
    const last = lines[1]!;
    expect(last.some((w) => /[\u0600-\u06FF]/.test(w.text))).toBe(false);
    for (const line of lines) expect(Math.max(...line.map((w) => w.xMax))).toBeCloseTo(230, 0);
    expect(Math.min(...last.map((w) => w.xMin))).toBeGreaterThan(80);
  });

  test("the audit trail shows CJK, Korean, Arabic and Hebrew actors and names", async () => {
    const pdf = await renderAuditTrail({
      envelope: { ...ENVELOPE, subject: "契約 — عقد" }, documents: [DOCUMENT], recipients: SIGNERS,
      events: auditEvents(2, DOCUMENT.id).map((e, i) => ({ ...e, actor: `recipient:rcp_${i} <${Object.values(NAMES)[i]}>` })),
      chain: { valid: true, head: "cd".repeat(32) }, generatedAt: new Date("2026-03-14T09:27:00Z"), developmentCertificate: false,
    });
    const text = pdftotext(pdf).replace(/[\u202a-\u202e]/g, "");
    for (const name of [NAMES.chinese, NAMES.japanese, NAMES.korean, NAMES.arabic, NAMES.hebrew, "契約"]) expect(text).toContain(name);
    expect(text).not.toContain("\uFFFD");
  });
});
