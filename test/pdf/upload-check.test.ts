/**
 * The upload check (pdf-worker/tasks.ts checkUpload) parses a file once for its three uses, and
 * its inspection leaves that parse as it found it (what the stamp and copy paths then meet).
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { listFormFields } from "../../src/pdf/form-fields.ts";
import { inspectPdf } from "../../src/pdf/inspect.ts";
import { buildEnvelopePdf, stampDocument } from "../../src/pdf/stamp.ts";
import { taggedPagesOf } from "../../src/pdf/text/text-tag-model.ts";
import { checkUpload } from "../../src/pdf-worker/tasks.ts";
import { corpus } from "../helpers/pdf.ts";
import { formPdf, taggedContract } from "../helpers/tagged-pdf.ts";

afterEach(() => {
  // spyOn keeps PDFDocument.load itself; the spies go after each test.
  (PDFDocument.load as unknown as { mockRestore?: () => void }).mockRestore?.();
});

describe("the upload check", () => {
  test("parses a tagged form once, and finds what the inspection alone finds", async () => {
    const bytes = await taggedContract();
    const expected = (await inspectPdf(bytes)).facts;
    const load = spyOn(PDFDocument, "load");
    const facts = await checkUpload(bytes);
    expect(load).toHaveBeenCalledTimes(1);
    expect(facts).toEqual(expected);
    expect(facts.tags.length).toBeGreaterThan(0);
  });

  // The paths meet the shared parse as they would a parse of their own: their output is the same,
  // byte for byte but for the random file identifier an update gets when the original has none.
  const sameBytes = (out: Uint8Array | string) =>
    typeof out === "string" ? out : Buffer.from(out).toString("latin1").replace(/\/ID \[ <[0-9A-F]+> <[0-9A-F]+> \]/g, "/ID [ ]");
  const entries = corpus();
  test.skipIf(!entries)("stamping and copying the inspected parse writes what fresh parses write, over the corpus", async () => {
    const files: [string, Uint8Array][] = [
      ["tagged contract", await taggedContract()], ["form", await formPdf()],
      ...entries!.filter((e) => !e.encrypted).map((e): [string, Uint8Array] => [e.file, new Uint8Array(readFileSync(e.path))]),
    ];
    let compared = 0;
    for (const [name, bytes] of files) {
      const inspected = await inspectPdf(bytes).catch(() => null);
      if (!inspected) continue;
      const doc = { id: "upload", name: "upload.pdf", sha256: "", bytes, taggedPages: taggedPagesOf(inspected.facts.tags) };
      const stamp = (parsed?: PDFDocument) => stampDocument(doc, [], [], { appendSignaturePage: false }, parsed).then(sameBytes, (e: Error) => e.message);
      const copy = (parsed?: PDFDocument) => buildEnvelopePdf([doc], [], [], { appendSignaturePage: false, title: "" }, parsed && [parsed]).then(sameBytes, (e: Error) => e.message);
      expect(await stamp(inspected.pdf), name).toEqual(await stamp());
      expect(await copy(inspected.pdf), name).toEqual(await copy());
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe("listing a document's form changes nothing", () => {
  test("a document without a form gets none", async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage();
    const { pdf: parsed, facts } = await inspectPdf(await pdf.save());
    expect(facts.formFields).toEqual([]);
    expect(parsed.catalog.has(PDFName.of("AcroForm"))).toBe(false);
  });

  test("an XFA form keeps its XFA, and its fields are listed", async () => {
    const pdf = await PDFDocument.load(await formPdf());
    const acroForm = pdf.catalog.lookup(PDFName.of("AcroForm"), PDFDict);
    acroForm.set(PDFName.of("XFA"), PDFString.of("<xdp:xdp/>"));
    const fields = listFormFields(pdf);
    expect(fields.length).toBeGreaterThan(0);
    expect(acroForm.has(PDFName.of("XFA"))).toBe(true);
  });
});
