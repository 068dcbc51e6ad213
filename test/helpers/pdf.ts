import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, PDFName, StandardFonts } from "pdf-lib";

/** A small real PDF made with pdf-lib: `pages` A4 pages with a line of text each. */
export async function makePdf(pages = 1, text = "Certyneo test document"): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`${text} — page ${i + 1}`, { x: 72, y: 760, size: 14, font });
  }
  return new Uint8Array(await doc.save());
}

/** A one-page PDF showing one image of random (incompressible) pixels: about `megabytes` MB (MiB). */
export async function noisePdf(megabytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  const width = 1024, height = Math.ceil((megabytes * 1024 * 1024) / (width * 3));
  const pixels = new Uint8Array(width * height * 3);
  for (let at = 0; at < pixels.length; at += 65536) crypto.getRandomValues(pixels.subarray(at, Math.min(pixels.length, at + 65536)));
  const image = doc.context.register(doc.context.stream(pixels, { Type: "XObject", Subtype: "Image", Width: width, Height: height, ColorSpace: "DeviceRGB", BitsPerComponent: 8 }));
  const page = doc.addPage([595.28, 841.89]);
  page.node.setXObject(PDFName.of("Im0"), image);
  page.node.set(PDFName.of("Contents"), doc.context.register(doc.context.stream("q 595.28 0 0 841.89 0 0 cm /Im0 Do Q")));
  return new Uint8Array(await doc.save({ useObjectStreams: false }));
}

export const CORPUS_DIR = join(import.meta.dir, "../../../shared/pdf-corpus");

export interface CorpusEntry {
  file: string;
  path: string;
  category: string;
  /** Page count, or null where the manifest says n/a (broken files). */
  pages: number | null;
  encrypted: boolean;
  /** Signatures the file already carries. */
  signatures: number;
  /** qpdf --check on the original: ok, warn or error. */
  qpdfCheck: string;
  note: string;
}

/** The shared real-world corpus per its MANIFEST.tsv, or null (with a message) when the folder is absent. */
export function corpus(): CorpusEntry[] | null {
  const manifest = join(CORPUS_DIR, "MANIFEST.tsv");
  if (!existsSync(manifest)) {
    console.warn(`pdf corpus not found at ${CORPUS_DIR}: corpus tests skipped`);
    return null;
  }
  const [head, ...rows] = readFileSync(manifest, "utf8").trim().split("\n").map((l) => l.split("\t"));
  const col = (r: string[], name: string) => r[head!.indexOf(name)] ?? "";
  return rows.map((r) => ({
    file: col(r, "file"),
    path: join(CORPUS_DIR, col(r, "file")),
    category: col(r, "category"),
    pages: col(r, "pages") === "n/a" ? null : Number(col(r, "pages")),
    encrypted: col(r, "encrypted") === "yes",
    signatures: Number(col(r, "signed")) || 0,
    qpdfCheck: col(r, "qpdf_check"),
    note: col(r, "note"),
  }));
}
