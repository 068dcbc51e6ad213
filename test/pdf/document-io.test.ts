// The PDF threads' pdf-lib load and save run through without yielding to timers (document-io.ts):
// pdf-lib's default yields a setTimeout(0) every 100 objects parsed and every 50 written.
import { expect, test } from "bun:test";
import { PDFDocument } from "pdf-lib";
import { loadPdf, savePdf } from "../../src/pdf/document-io.ts";

/** A PDF of 400 pages: well over a thousand objects. */
async function manyObjects(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < 400; i++) pdf.addPage([200, 200]).drawText(`page ${i + 1}`, { x: 20, y: 100 });
  return pdf.save({ useObjectStreams: false });
}

/** What ends first: `work`, or a timer set when it starts. */
async function firstOf(work: () => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  const timer = new Promise<void>((resolve) => setTimeout(() => (order.push("timer"), resolve()), 0));
  await Promise.all([work().then(() => order.push("work")), timer]);
  return order;
}

test("a PDF of many objects is loaded and saved again before a timer set meanwhile fires", async () => {
  const bytes = await manyObjects();
  expect(await firstOf(() => loadPdf(bytes))).toEqual(["work", "timer"]);
  const pdf = await loadPdf(bytes);
  expect(pdf.getPageCount()).toBe(400);
  let saved: Uint8Array = new Uint8Array();
  expect(await firstOf(async () => (saved = await savePdf(pdf)))).toEqual(["work", "timer"]);
  expect((await loadPdf(saved)).getPageCount()).toBe(400);
  // pdf-lib's own defaults yield: what this module exists to avoid.
  expect(await firstOf(() => PDFDocument.load(bytes))).toEqual(["timer", "work"]);
});

test("a load keeps the metadata as it is and passes other options on", async () => {
  const pdf = await PDFDocument.create();
  pdf.addPage();
  pdf.setProducer("Someone else");
  const bytes = await pdf.save();
  const loaded = await loadPdf(bytes, { ignoreEncryption: true });
  expect(loaded.getProducer()).toBe("Someone else");
});
