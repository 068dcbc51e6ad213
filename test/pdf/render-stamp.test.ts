// Stamping field values into documents: placement on rotated and cropped pages, Unicode text,
// signature page, incremental save over an already signed PDF. Checked with poppler and qpdf.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { degrees, PDFDict, PDFDocument, PDFName, PDFNumber, StandardFonts } from "pdf-lib";
import type { RenderDocument, RenderField } from "../../src/pdf/render-model.ts";
import { pageFrame } from "../../src/pdf/page-frame.ts";
import { buildEnvelopePdf, stampDocument } from "../../src/pdf/stamp.ts";
import { CORPUS_DIR } from "../helpers/pdf.ts";
import {
  darkPixels,
  greyPixels,
  pdftotext,
  pngDataUrl,
  qpdfCheck,
  recipient,
  run,
  UNICODE_SIGNERS,
  withPdfFile,
  words,
} from "./render-fixtures.ts";

const ROTATIONS = [0, 90, 180, 270, 360] as const;

/** One page per rotation, MediaBox 400x600 with a CropBox offset from its origin. */
async function rotatedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const angle of ROTATIONS) {
    const page = pdf.addPage([400, 600]);
    page.setCropBox(30, 40, 340, 520);
    page.setRotation(degrees(angle));
  }
  return pdf.save();
}

async function textPdf(pages: number, size: [number, number] = [595.28, 841.89]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) pdf.addPage(size).drawText(`Agreement page ${i + 1}`, { x: 60, y: size[1] - 60, size: 12, font });
  return pdf.save();
}

const doc = (bytes: Uint8Array, id = "doc_1", name = "Agreement.pdf"): RenderDocument => ({ id, name, sha256: "0".repeat(64), bytes });

let fieldSeq = 0;
function field(over: Partial<RenderField> & Pick<RenderField, "type" | "recipientId">): RenderField {
  return { id: `fld_${++fieldSeq}`, documentId: "doc_1", page: 1, x: 40, y: 50, width: 160, height: 24, value: null, ...over };
}

const signer = recipient({ id: "rcp_1", name: "Zoë Ødegård" });

describe("page geometry", () => {
  test("display size and matrix follow /Rotate and the CropBox", async () => {
    const pdf = await PDFDocument.load(await rotatedPdf());
    const frames = pdf.getPages().map(pageFrame);
    expect(frames.map((f) => [f.width, f.height])).toEqual([
      [340, 520],
      [520, 340],
      [340, 520],
      [520, 340],
      [340, 520],
    ]);
    // The displayed top-left corner (0, height) maps to the CropBox corner the viewer shows top-left.
    const topLeft = frames.map(({ height, toUserSpace: [, , c, d, e, f] }) => [c * height + e, d * height + f]);
    expect(topLeft).toEqual([
      [30, 560],
      [30, 40],
      [370, 40],
      [370, 560],
      [30, 560],
    ]);
  });
});

describe("stampDocument", () => {
  test("text lands where the integrator placed it, upright, on every rotation with a CropBox", async () => {
    const fields = ROTATIONS.map((angle, i) => field({ type: "text", recipientId: "rcp_1", page: i + 1, value: `ROT${angle}` }));
    const out = await stampDocument(doc(await rotatedPdf()), [signer], fields, { appendSignaturePage: false });
    expect(qpdfCheck(out).code).toBe(0);
    const found = words(out);
    for (const [i, angle] of ROTATIONS.entries()) {
      const word = found.find((w) => w.text === `ROT${angle}`);
      expect(word, `ROT${angle}`).toBeDefined();
      expect(word!.page).toBe(i + 1);
      expect(word!.xMin).toBeGreaterThanOrEqual(40);
      expect(word!.xMin).toBeLessThan(46);
      expect(word!.yMin).toBeGreaterThanOrEqual(50);
      expect(word!.yMax).toBeLessThanOrEqual(74);
      expect(word!.xMax - word!.xMin).toBeGreaterThan(word!.yMax - word!.yMin); // horizontal for the reader
    }
  });

  test("a /Rotate inherited from the page tree is honoured", async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage([612, 792]);
    pdf.catalog.lookup(PDFName.of("Pages"), PDFDict).set(PDFName.of("Rotate"), PDFNumber.of(90));
    const out = await stampDocument(
      doc(await pdf.save()),
      [signer],
      [field({ type: "text", recipientId: "rcp_1", x: 600, y: 500, width: 150, value: "INHERITED" })],
      { appendSignaturePage: false },
    );
    const word = words(out).find((w) => w.text === "INHERITED")!;
    expect(word.xMin).toBeGreaterThanOrEqual(600);
    expect(word.yMin).toBeGreaterThanOrEqual(500);
    expect(word.yMax).toBeLessThanOrEqual(524);
  });

  test("checkbox marks and drawn signatures are painted inside their boxes, upright, on rotated pages", async () => {
    // Ink in the image's top-left quarter only: a turned or mirrored image would put it elsewhere.
    const topLeftInk = pngDataUrl(300, 100, (x, y) => x < 150 && y < 50);
    const fields = ROTATIONS.flatMap((_, i) => [
      field({ type: "checkbox", recipientId: "rcp_1", page: i + 1, x: 20, y: 20, width: 16, height: 16, value: "true" }),
      field({ type: "signature", recipientId: "rcp_1", page: i + 1, x: 100, y: 200, width: 150, height: 50, value: topLeftInk }),
      field({ type: "checkbox", recipientId: "rcp_1", page: i + 1, x: 20, y: 300, width: 16, height: 16, value: "false" }),
    ]);
    const out = await stampDocument(doc(await rotatedPdf()), [signer], fields, { appendSignaturePage: false });
    for (const page of ROTATIONS.keys()) {
      const image = greyPixels(out, page + 1);
      const check = darkPixels(image, { x: 20, y: 20, width: 16, height: 16 });
      const box = darkPixels(image, { x: 100, y: 200, width: 150, height: 50 });
      const quarter = darkPixels(image, { x: 100, y: 200, width: 75, height: 25 });
      expect(check).toBeGreaterThan(10);
      expect(quarter).toBeGreaterThan(75 * 25 * 0.9);
      expect(box - quarter).toBeLessThan(75 + 25 + 10); // at most the quarter's anti-aliased edges
      // Nothing outside the two boxes, so the unchecked box stays empty.
      expect(darkPixels(image, { x: 0, y: 0, width: 0, height: 0 }, true)).toBe(check + box);
    }
  });

  test("Greek, accented Latin and Cyrillic names render in fields and on the signature page", async () => {
    const [greek, nordic, cyrillic] = UNICODE_SIGNERS;
    const fields = [
      field({ type: "signature", recipientId: greek!.id, x: 60, y: 600, width: 220, height: 50 }),
      field({ type: "text", recipientId: greek!.id, x: 60, y: 660, width: 220, height: 20, value: greek!.name }),
      field({ type: "date", recipientId: greek!.id, x: 300, y: 620, width: 100, height: 20 }),
      field({ type: "initials", recipientId: cyrillic!.id, page: 2, x: 500, y: 780, width: 50, height: 30 }),
    ];
    const out = await stampDocument(doc(await textPdf(2)), UNICODE_SIGNERS, fields, { appendSignaturePage: true });
    expect(qpdfCheck(out).code).toBe(0);
    const text = pdftotext(out);
    for (const name of ["Γιώργος Παπαδόπουλος", "Zoë Ødegård", "Юлия Кузнецова"]) expect(text).toContain(name);
    expect(text).toContain("2026-03-14");
    expect(text).toContain("ЮК"); // initials
    // Only signers without a signature field get a block: the Greek signer has a field.
    const signaturePage = pdftotext(out, "-f", "3", "-l", "3");
    expect(signaturePage).toContain(nordic!.email);
    expect(signaturePage).toContain(cyrillic!.email);
    expect(signaturePage).not.toContain(greek!.email);
    expect(signaturePage).toContain("Signed 2026-03-14 09:26:53 UTC");
  });

  test("typed signatures use the script face, or a fallback face for names it cannot write", async () => {
    const vietnamese = recipient({ id: "rcp_vn", name: "Nguyễn Văn An" });
    const fields = [...UNICODE_SIGNERS, vietnamese].map((r, i) =>
      field({ type: "signature", recipientId: r.id, x: 60, y: 100 + i * 70, width: 240, height: 50, value: null }),
    );
    const out = await stampDocument(doc(await textPdf(1)), [...UNICODE_SIGNERS, vietnamese], fields, { appendSignaturePage: false });
    const fonts = withPdfFile(out, (path) => run(["pdffonts", path]).out);
    expect(fonts).toContain("MarckScript");
    expect(fonts).toContain("DejaVuSerif-Italic");
    expect(pdftotext(out)).toContain("Nguyễn Văn An");
  });

  test("long text shrinks and wraps inside its box, and an impossible fit is cut with an ellipsis", async () => {
    const long = "Directeur général délégué aux opérations internationales et à la transformation numérique du groupe";
    const fields = [
      field({ type: "text", recipientId: "rcp_1", x: 60, y: 100, width: 150, height: 40, value: long }),
      field({ type: "text", recipientId: "rcp_1", x: 60, y: 200, width: 60, height: 6, value: long }),
    ];
    const out = await stampDocument(doc(await textPdf(1)), [signer], fields, { appendSignaturePage: false });
    const found = words(out).filter((w) => w.yMin > 90 && w.text !== "Agreement");
    const inFirst = found.filter((w) => w.yMin < 150);
    expect(inFirst.map((w) => w.text).join(" ")).toBe(long);
    for (const w of inFirst) {
      expect(w.xMin).toBeGreaterThanOrEqual(60);
      expect(w.xMax).toBeLessThanOrEqual(210.5);
      expect(w.yMax).toBeLessThanOrEqual(141);
    }
    const inSecond = found.filter((w) => w.yMin >= 190);
    expect(inSecond.at(-1)!.text.endsWith("…")).toBe(true);
    for (const w of inSecond) expect(w.xMax).toBeLessThanOrEqual(120.5);
  });

  test("the update is appended: the original bytes are untouched and the earlier revision is intact", async () => {
    const original = await textPdf(1);
    const out = await stampDocument(doc(original), [signer], [field({ type: "text", recipientId: "rcp_1", value: "appended" })], {
      appendSignaturePage: true,
    });
    expect(Buffer.from(out.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    expect(pdftotext(out)).toContain("appended");
    expect(qpdfCheck(out).code).toBe(0);
  });

  test("nothing to draw leaves the document as it was: no revision, no unused fonts", async () => {
    const original = await textPdf(1);
    const approver = recipient({ id: "rcp_approver", name: "Ana", role: "APPROVER", signature: null });
    const out = await stampDocument(doc(original), [approver], [], { appendSignaturePage: true });
    expect(Buffer.from(out).equals(Buffer.from(original))).toBe(true);
  });

  test("fields on a page the document does not have are refused", async () => {
    const bad = field({ type: "text", recipientId: "rcp_1", page: 3, value: "x" });
    await expect(stampDocument(doc(await textPdf(1)), [signer], [bad], { appendSignaturePage: false })).rejects.toThrow(/page 3/);
  });

  const signedTwice = join(CORPUS_DIR, "signed-twice-xrefstream-objstm.pdf");
  test.skipIf(!existsSync(signedTwice))("stamping a PDF that already carries two signatures keeps both valid", async () => {
    const original = new Uint8Array(readFileSync(signedTwice));
    const out = await stampDocument(
      doc(original),
      [signer],
      [field({ type: "text", recipientId: "rcp_1", x: 10, y: 10, width: 200, height: 14, value: "Stamped after signing" })],
      { appendSignaturePage: true },
    );
    const report = withPdfFile(out, (path) => run(["pdfsig", path]).out);
    expect(report.match(/Signature is Valid/g)?.length).toBe(2);
    expect(report).not.toContain("Digest Mismatch");
    expect(qpdfCheck(out).code).toBe(0);
    expect(pdftotext(out)).toContain("Stamped after signing");
  });
  if (!existsSync(signedTwice)) console.warn(`${signedTwice} not found: signed-PDF stamping test skipped`);
});

describe("buildEnvelopePdf", () => {
  test("merges documents in order, stamps each document's fields on its own pages", async () => {
    const first = doc(await textPdf(2), "doc_a", "First.pdf");
    const second = doc(await textPdf(1, [612, 792]), "doc_b", "Second.pdf");
    const fields = [
      field({ type: "text", recipientId: "rcp_1", documentId: "doc_b", page: 1, x: 60, y: 100, width: 200, value: "ON-SECOND" }),
      field({ type: "text", recipientId: "rcp_1", documentId: "doc_a", page: 2, x: 60, y: 100, width: 200, value: "ON-FIRST-P2" }),
    ];
    const out = await buildEnvelopePdf([first, second], [signer], fields, { appendSignaturePage: true, title: "Envelope Ωmega" });
    expect(qpdfCheck(out).code).toBe(0);
    const merged = await PDFDocument.load(out);
    expect(merged.getPageCount()).toBe(4); // 2 + 1 + signature page
    expect(merged.getTitle()).toBe("Envelope Ωmega");
    expect(words(out).find((w) => w.text === "ON-FIRST-P2")!.page).toBe(2);
    expect(words(out).find((w) => w.text === "ON-SECOND")!.page).toBe(3);
    expect(pdftotext(out, "-f", "4", "-l", "4")).toContain("Zoë Ødegård");
  });

  const signedTwice = join(CORPUS_DIR, "signed-twice-xrefstream-objstm.pdf");
  test.skipIf(!existsSync(signedTwice))("signatures of merged inputs are dropped rather than left broken", async () => {
    const signed = doc(new Uint8Array(readFileSync(signedTwice)), "doc_signed", "Signed.pdf");
    const out = await buildEnvelopePdf([signed, doc(await textPdf(1), "doc_b")], [signer], [], { appendSignaturePage: false, title: "t" });
    const report = withPdfFile(out, (path) => run(["pdfsig", path]).out);
    expect(report).not.toContain("Signature is Invalid");
    expect(report).not.toContain("Digest Mismatch");
    expect(report).not.toMatch(/Signature is Valid/);
  });
});
