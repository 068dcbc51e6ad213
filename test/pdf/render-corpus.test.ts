// stampDocument over the shared real-world corpus: tiny, rotated and cropped pages, forms,
// linearized files, xref streams, incremental updates, already signed PDFs.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { PDFDocument } from "pdf-lib";
import { SealRefusedError } from "../../src/pdf/incremental.ts";
import type { RenderField } from "../../src/pdf/render-model.ts";
import { pageFrame } from "../../src/pdf/page-frame.ts";
import { stampDocument } from "../../src/pdf/stamp.ts";
import { corpus } from "../helpers/pdf.ts";
import { ENVELOPE, pdftotext, qpdfCheck, recipient, run, withPdfFile } from "./render-fixtures.ts";

const entries = (corpus() ?? []).filter((e) => !e.encrypted && !e.category.split(";").includes("broken"));

const signer = recipient({ id: "rcp_corpus", name: "Γιώργος Παπαδόπουλος" });
const cosigner = recipient({ id: "rcp_cosigner", name: "Юлия Кузнецова" });

/** A signature and a text field near the top-left of the displayed first and last pages, sized to the page. */
function fieldsFor(pdf: PDFDocument): RenderField[] {
  const pages = pdf.getPages();
  return [1, pages.length].flatMap((number, i) => {
    const { width, height } = pageFrame(pages[number - 1]!);
    const box = { x: width * 0.08, width: Math.max(width * 0.5, 120), height: 24 }; // larger than a tiny page: must not throw
    return [
      { id: `sig_${i}`, type: "signature" as const, y: height * 0.08, value: null },
      { id: `txt_${i}`, type: "text" as const, y: height * 0.08 + 30, value: "CORPUS-STAMP" },
    ].map((f) => ({ ...f, ...box, recipientId: signer.id, documentId: "doc_corpus", page: number }));
  });
}

const validSignatures = (bytes: Uint8Array) =>
  withPdfFile(bytes, (path) => run(["pdfsig", path]).out).match(/Signature is Valid/g)?.length ?? 0;

describe("stampDocument over the PDF corpus", () => {
  if (entries.length === 0) {
    test.skip("corpus folder absent: see the warning above", () => {});
    return;
  }

  test.each(entries.map((e) => [e.file, e] as const))("%s", async (_, entry) => {
    const original = new Uint8Array(readFileSync(entry.path));
    const fields = fieldsFor(await PDFDocument.load(original, { updateMetadata: false }));
    const stamp = () =>
      stampDocument({ id: "doc_corpus", name: entry.file, sha256: "0".repeat(64), bytes: original }, [signer, cosigner], fields, {
        appendSignaturePage: true,
        certificate: {
          envelope: ENVELOPE,
          documents: [{ id: "doc_corpus", name: entry.file, sha256: "0".repeat(64) }],
          recipients: [signer, cosigner],
          generatedAt: new Date(),
          developmentCertificate: false,
        },
      });

    if (entry.category.includes("docmdp")) {
      // Certified "no changes allowed": any stamp would break the author's certification.
      await expect(stamp()).rejects.toBeInstanceOf(SealRefusedError);
      return;
    }
    const out = await stamp();

    expect(Buffer.from(out.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    // Warnings the original had may remain (3), or vanish: an update makes a linearized file plain.
    const check = qpdfCheck(out);
    expect(entry.qpdfCheck === "ok" ? [0] : [0, 3], check.out).toContain(check.code);
    const text = pdftotext(out);
    expect(text).toContain("Юлия Кузнецова"); // signature page block: no signature field
    expect(text).toContain("Certificate of Completion");
    if (!entry.category.includes("tiny-page")) expect(text).toContain("CORPUS-STAMP");
    if (entry.signatures > 0) expect(validSignatures(out)).toBe(validSignatures(original));
  }, 60_000);
});
