import { beforeAll, describe, expect, test } from "bun:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { saveIncremental, SealRefusedError, takeSnapshot, XrefError } from "../../src/pdf/incremental.ts";
import { inspectPdf } from "../../src/pdf/inspect.ts";
import { sealPdf } from "../../src/pdf/pades.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import type { Signer } from "../../src/pdf/signer.ts";
import { makePdf, opensslP12, pdfsig, qpdfCheck, stamp, tempDir } from "./helpers-seal.ts";

const dir = tempDir();
let signer: Signer;
beforeAll(async () => {
  signer = await loadSigner(opensslP12(dir, { key: "p256", password: "pw" }), "pw", new Date(Date.now() + 5_000));
});

describe("saveIncremental", () => {
  test("appends only new and changed objects after the untouched original", async () => {
    const original = await makePdf({ pages: 3 });
    const stamped = await stamp(original);
    expect(Buffer.from(stamped.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    const update = Buffer.from(stamped.subarray(original.length)).toString("latin1");
    const objects = [...update.matchAll(/\n(\d+) 0 obj/g)].map((m) => Number(m[1]));
    const before = await PDFDocument.load(original);
    // changed: page 1, the page tree (new page); the other pages and the catalog are untouched
    expect(objects).toContain(before.getPage(0).ref.objectNumber);
    expect(objects).not.toContain(before.getPage(1).ref.objectNumber);
    expect(objects).not.toContain(before.getPage(2).ref.objectNumber);
    const after = await PDFDocument.load(stamped);
    expect(after.getPageCount()).toBe(4);
    expect(qpdfCheck(dir, stamped).code).toBe(0);
  });

  test("nothing changed: the original comes back as is", async () => {
    const original = await makePdf();
    const doc = await PDFDocument.load(original, { updateMetadata: false });
    expect(saveIncremental(original, doc, takeSnapshot(doc))).toBe(original);
  });

  test("a stamp after a seal keeps the seal valid, and a seal after it covers everything", async () => {
    const sealed = await sealPdf(await makePdf(), { signer, signingTime: new Date() });
    const stamped = await stamp(sealed);
    const resealed = await sealPdf(stamped, { signer, signingTime: new Date() });
    const sigs = pdfsig(dir, resealed);
    expect(sigs.map((s) => [s.valid, s.total])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(qpdfCheck(dir, resealed).code).toBe(0);
  });

  test("forgetting doc.flush() is reported instead of writing dangling references", async () => {
    const original = await makePdf();
    const doc = await PDFDocument.load(original, { updateMetadata: false });
    const snapshot = takeSnapshot(doc);
    const font = await doc.embedFont(StandardFonts.Courier);
    doc.getPage(0).drawText("x", { font });
    expect(() => saveIncremental(original, doc, snapshot)).toThrow(/doc.flush\(\)/);
  });

  test("a broken xref chain: unsigned files are rewritten whole, signed ones refused", async () => {
    const original = await makePdf({ objectStreams: false });
    const text = Buffer.from(original).toString("latin1");
    const startxref = Number(/startxref\s+(\d+)/.exec(text)![1]);
    const broken = new Uint8Array(Buffer.from(text.replace(/startxref\s+\d+/, `startxref\n${startxref + 1}`), "latin1"));
    const stamped = await stamp(broken);
    expect(qpdfCheck(dir, stamped).code).toBe(0);
    expect((await PDFDocument.load(stamped)).getPageCount()).toBe(2);

    const sealed = Buffer.from(await sealPdf(original, { signer, signingTime: new Date() })).toString("latin1");
    const brokenSigned = new Uint8Array(Buffer.from(sealed.replace(/startxref\s+(\d+)\s+%%EOF\s*$/, (_m, n) => `startxref\n${Number(n) + 1}\n%%EOF\n`), "latin1"));
    await expect(stamp(brokenSigned)).rejects.toBeInstanceOf(XrefError);
  });

  /** A PDF whose /Perms /DocMDP signature carries one reference of `transformMethod` with P=1. */
  async function certified(transformMethod: "DocMDP" | "FieldMDP") {
    const doc = await PDFDocument.create();
    doc.addPage();
    const sigRef = doc.context.register(
      doc.context.obj({ Type: "Sig", Reference: [{ Type: "SigRef", TransformMethod: transformMethod, TransformParams: { Type: "TransformParams", P: 1, V: "1.2" } }] }),
    );
    doc.catalog.set(doc.context.obj("Perms") as never, doc.context.obj({ DocMDP: sigRef }));
    return doc.save();
  }

  test("a DocMDP P=1 certified document is refused by upload, stamp and seal alike", async () => {
    const original = await certified("DocMDP");
    await expect(inspectPdf(original)).rejects.toMatchObject({ code: "pdf_certified_no_changes" });
    await expect(stamp(original)).rejects.toBeInstanceOf(SealRefusedError);
    await expect(sealPdf(original, { signer, signingTime: new Date() })).rejects.toThrow(/DocMDP P=1/);
  });

  test("P=1 under a reference that is not DocMDP locks nothing: upload and seal agree (they used to disagree)", async () => {
    const original = await certified("FieldMDP");
    expect((await inspectPdf(original)).facts.pageCount).toBe(1);
    const sealed = await sealPdf(original, { signer, signingTime: new Date() });
    expect(pdfsig(dir, sealed).at(-1)!.valid).toBe(true);
  });
});
