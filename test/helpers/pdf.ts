import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A small real PDF made with pdf-lib: `pages` A4 pages with a line of text each. */
export async function makePdf(pages = 1, text = "Certyneo test document"): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`${text} — page ${i + 1}`, { x: 72, y: 760, size: 14, font });
  }
  return doc.save();
}

export const CORPUS_DIR = join(import.meta.dir, "../../../shared/pdf-corpus");

export interface CorpusEntry {
  file: string;
  category: string;
  /** Page count, or null where the manifest says n/a (broken files). */
  pages: number | null;
  encrypted: boolean;
  signatures: number;
  qpdfCheck: string;
  note: string;
  path: string;
}

/** The shared real-world corpus, or null (with a message) when the folder is absent. */
export function corpus(): CorpusEntry[] | null {
  const manifest = join(CORPUS_DIR, "MANIFEST.tsv");
  if (!existsSync(manifest)) {
    console.warn(`pdf corpus not found at ${CORPUS_DIR}: corpus tests skipped`);
    return null;
  }
  const [, ...rows] = readFileSync(manifest, "utf8").trim().split("\n");
  return rows.map((r) => {
    const c = r.split("\t");
    return {
      file: c[0]!, category: c[4]!, pages: c[5] === "n/a" ? null : Number(c[5]), encrypted: c[6] === "yes", signatures: Number(c[7]), qpdfCheck: c[8]!, note: c[9] ?? "",
      path: join(CORPUS_DIR, c[0]!),
    };
  });
}
