// Lines drawn through fonts.ts's drawText, shown with text-show.ts: the glyph codes pdf-lib writes, each face named once per page,
// the text where it was put, read back by poppler.
import { expect, test } from "bun:test";
import { PDFDict, PDFDocument, PDFName, rgb } from "pdf-lib";
import { drawText, fontsFor } from "../../src/pdf/fonts.ts";
import { encodeText } from "../../src/pdf/text-show.ts";
import { pdftotext, run, withPdfFile, words } from "./render-fixtures.ts";

const LINES = ["Certificate of completion", "Юлия Петрова", "Γιώργος 2026-03-14 09:26:53 UTC", "a5478ac2b0b4f34d9486c052f29aad3c", "Certificate of completion"];

test("a line's glyph codes are those pdf-lib's encodeText gives, glyph for glyph, in a face's subset", async () => {
  const ours = await fontsFor(await PDFDocument.create());
  const theirs = await fontsFor(await PDFDocument.create());
  for (const line of LINES) {
    for (const face of ["sans", "bold", "mono", "script"] as const) {
      expect(encodeText(ours[face], line).asString()).toBe(theirs[face].encodeText(line).asString());
    }
  }
});

test("a page names each face once however many lines it shows; poppler reads the lines where they were put", async () => {
  const pdf = await PDFDocument.create();
  const { sans, mono } = await fontsFor(pdf);
  const page = pdf.addPage([400, 600]);
  for (let i = 0; i < 20; i++) {
    drawText(page, `Line ${i} of twenty`, { x: 40, y: 560 - i * 20, font: sans, size: 10 });
    drawText(page, `id${i}`, { x: 300, y: 560 - i * 20, font: mono, size: 8, color: rgb(0.4, 0.4, 0.4) });
  }
  const fonts = page.node.Resources()!.lookup(PDFName.of("Font"), PDFDict);
  expect(fonts.keys()).toHaveLength(2);

  const bytes = await pdf.save();
  const text = pdftotext(bytes, "-layout");
  for (let i = 0; i < 20; i++) expect(text).toMatch(new RegExp(`Line ${i} of twenty\\s+id${i}\\n`));
  const first = words(bytes).find((w) => w.text === "id0")!;
  expect(first.xMin).toBeCloseTo(300, 0);
  expect(first.yMax).toBeGreaterThan(600 - 560 - 8);
  expect(first.yMin).toBeLessThan(600 - 560);
  // Each face is one embedded font of the file.
  const listed = withPdfFile(bytes, (path) => run(["pdffonts", path]).out);
  expect(listed.match(/^DejaVuSans(Mono)?-\S+ +CID TrueType +Identity-H +yes/gm)?.map((row) => row.split("-")[0])).toEqual(["DejaVuSans", "DejaVuSansMono"]);
});
