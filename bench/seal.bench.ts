// Sealing benchmark: bun bench/seal.bench.ts
//
// For PDFs of ~1, ~20 and ~100 MB (big incompressible images) and a ~20 MB PDF
// of ~20,000 small objects (text pages), measures in one run: SHA-256 of the
// file (the floor), pdf-lib load+save (the usual approach), sealPdf, and the
// seal's peak memory (in a child process, so the number is its own).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument, PDFName, StandardFonts } from "pdf-lib";
import { createDevelopmentP12 } from "../src/pdf/devcert.ts";
import { sealPdf, sealPdfParts } from "../src/pdf/pades.ts";
import { loadSigner } from "../src/pdf/pkcs12.ts";
import { machine, table, writeSection } from "./machine.ts";
import { memoryBytes } from "../test/helpers/proc.ts";
import { imagePdf } from "./pdfs.ts";

const MB = 1 << 20;
const PASSWORD = "bench";

async function signerFrom(p12File: string) {
  return loadSigner(new Uint8Array(readFileSync(p12File)), PASSWORD, new Date());
}

/** Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited across exec). */
const peakRss = (): number => memoryBytes("self", "VmHWM");

// --- child: read one file, seal it, report peak RSS --------------------------------
if (process.argv[2] === "--child") {
  const [, , , mode, pdfFile, p12File] = process.argv;
  const signer = await signerFrom(p12File!);
  const baseline = process.memoryUsage().rss;
  const pdf = readFileSync(pdfFile!); // a Buffer is a Uint8Array: no copy
  const opts = { signer, signingTime: new Date() };
  const sealed = mode === "parts" ? await sealPdfParts(pdf, opts) : await sealPdf(pdf, opts);
  console.log(JSON.stringify({ peak: peakRss(), baseline, size: "appended" in sealed ? sealed.appended.length : sealed.length }));
  process.exit(0);
}

function childPeak(mode: "whole" | "parts", file: string, p12File: string): { peak: number; baseline: number } {
  const child = Bun.spawnSync([process.execPath, import.meta.path, "--child", mode, file, p12File], { stdout: "pipe", stderr: "inherit" });
  return JSON.parse(child.stdout.toString());
}

/** ~10,000 text pages: a page dict and an uncompressed content stream each (~20,000 objects, ~20 MB). */
async function manyObjectsPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = doc.context.register(doc.context.obj({ Type: "Font", Subtype: "Type1", BaseFont: StandardFonts.Helvetica }));
  const line = "The quick brown fox jumps over the lazy dog, page after page of contract text.";
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    page.node.setFontDictionary(PDFName.of("F1"), font);
    let ops = "BT /F1 10 Tf 50 800 Td 12 TL\n";
    for (let l = 0; l < 24; l++) ops += `(${p}-${l} ${line}) '\n`;
    page.node.set(PDFName.of("Contents"), doc.context.register(doc.context.stream(`${ops}ET`)));
  }
  return doc.save(); // object streams: page dicts compressed, as modern generators do
}

/**
 * Runs the functions in interleaved rounds and keeps each one's best time: the
 * machine is shared, so a slow round says more about the neighbours than about
 * the code, and interleaving keeps the ratios between functions honest.
 */
async function bestOf(rounds: number, fns: (() => unknown)[]): Promise<number[]> {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (const [i, f] of fns.entries()) {
      Bun.gc(true);
      const t = performance.now();
      await f();
      best[i] = Math.min(best[i]!, performance.now() - t);
    }
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), "certyneo-seal-bench-"));
try {
  const p12File = join(dir, "bench.p12");
  writeFileSync(p12File, await createDevelopmentP12({ commonName: "Bench", password: PASSWORD, now: new Date() }));
  const signer = await signerFrom(p12File);

  const cases: [string, () => Promise<Uint8Array>][] = [
    ["~1 MB, images", () => imagePdf(1)],
    ["~20 MB, images", () => imagePdf(20)],
    ["~100 MB, images", () => imagePdf(100)],
    ["~20 MB, ~20,000 objects (text)", () => manyObjectsPdf(10_000)],
  ];
  const rows: (string | number)[][] = [];
  const verdicts: string[] = [];
  for (const [label, make] of cases) {
    const file = join(dir, `${rows.length}.pdf`);
    writeFileSync(file, await make());
    Bun.gc(true);
    const pdf = readFileSync(file);
    const size = pdf.length;
    const objects = (await PDFDocument.load(pdf)).context.enumerateIndirectObjects().length;
    Bun.gc(true);
    const libSave = (await bestOf(1, [async () => (await PDFDocument.load(pdf, { updateMetadata: false })).save()]))[0]!;
    const opts = () => ({ signer, signingTime: new Date() });
    const [sha, copy, seal, parts] = (await bestOf(7, [
      () => new Bun.CryptoHasher("sha256").update(pdf).digest(),
      () => new Uint8Array(pdf.length).set(pdf), // what sealPdf adds to sealPdfParts

      () => sealPdf(pdf, opts()),
      () => sealPdfParts(pdf, opts()),
    ])) as [number, number, number, number];
    const whole = childPeak("whole", file, p12File);
    const appendOnly = childPeak("parts", file, p12File);
    const limit = size + 128 * MB;
    const mb = (n: number) => (n / MB).toFixed(0);
    rows.push([
      label, (size / MB).toFixed(1), objects, sha.toFixed(1), copy.toFixed(1), libSave.toFixed(0), `${(libSave / sha).toFixed(1)}x`,
      seal.toFixed(1), `${(seal / sha).toFixed(2)}x`, parts.toFixed(1), `${(parts / sha).toFixed(2)}x`,
      mb(whole.baseline), mb(whole.peak), mb(appendOnly.peak), mb(limit),
    ]);
    // Issue 14's targets, for the server's sealing (sealPdfParts: the file store writes the parts one after the other).
    const target = label.startsWith("~100 MB") ? 1.2 : label.includes("20,000") ? 1.5 : undefined;
    const met = (ok: boolean) => (ok ? "met" : "NOT met");
    if (target) {
      verdicts.push(
        `${label}: time target ≤ ${target}x SHA-256: sealPdf ${(seal / sha).toFixed(2)}x ${met(seal / sha <= target)}; sealPdfParts ${(parts / sha).toFixed(2)}x ${met(parts / sha <= target)}`,
      );
    }
    verdicts.push(
      `${label}: memory target < ${mb(limit)} MB (file + 128 MB): sealPdf ${mb(whole.peak)} MB ${met(whole.peak < limit)}; sealPdfParts ${mb(appendOnly.peak)} MB ${met(appendOnly.peak < limit)}`,
    );
    rmSync(file, { force: true });
    console.error(`done: ${label}`);
  }

  const head = [
    "PDF", "MB", "objects", "SHA-256 ms", "copy into a new buffer ms", "pdf-lib load+save ms", "load+save / SHA", "sealPdf ms", "sealPdf / SHA",
    "sealPdfParts ms", "parts / SHA", "child RSS at start MB", "sealPdf peak MB", "sealPdfParts peak MB", "file + 128 MB",
  ];
  const body = `Command: \`bun bench/seal.bench.ts\`. Times: best of 7 interleaved rounds for SHA-256 (Bun.CryptoHasher over the file in memory) and the two seals (the machine is shared with other work), 1 run for pdf-lib. \`sealPdf\` returns the whole sealed file as one new buffer; \`sealPdfParts\` returns the original and the appended update (what a file store writes one after the other). Peak memory is the VmHWM of a child process that starts Bun, reads the file and seals it: it includes the runtime, the input and, for \`sealPdf\`, the output. "copy into a new buffer" is \`new Uint8Array(n).set(pdf)\`, the step \`sealPdf\` adds: on this VM, faulting in fresh memory costs several times the SHA-256 of the same bytes, which is why the whole-file variant misses the time targets. The time targets are issue 14's (≤ 1.2x on 100 MB, ≤ 1.5x on 20,000 objects), for what the server runs: the file store writes sealPdfParts' parts one after the other.
Machine: ${machine()}.

${table(head, rows)}

${verdicts.map((v) => `- ${v}`).join("\n")}
`;
  console.log(body);
  writeSection("Sealing", body);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
