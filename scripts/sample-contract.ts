/**
 * Writes docs/sample-contract.pdf, the one-page contract the README's quick start sends. Its
 * signature box holds a text tag in white, sized to the box: at upload it becomes Ana's
 * signature field, so her signature lands in the box, and sealing takes the tag out.
 *   bun scripts/sample-contract.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";

const TAG = "{{type=signature}}";
const BOX = { x: 72, y: 520, width: 220, height: 50 };

export async function sampleContract(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setCreator("Certyneo");
  pdf.setProducer("Certyneo sample");
  const page = pdf.addPage([595.28, 841.89]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  page.drawText("Employment contract (sample)", { x: 72, y: 760, size: 20, font: bold });
  const lines = [
    "This sample document ships with Certyneo so that the quick start in the README",
    "works as written. Upload it, send it in an envelope, sign it, and download the",
    "sealed result with its audit trail.",
    "",
    "Employer: Example Ltd.          Employee: Ana Silva",
    "Position: Accountant            Start date: 1 February 2026",
    "",
    "Signature:",
  ];
  lines.forEach((line, i) => line && page.drawText(line, { x: 72, y: 720 - 18 * i, size: 11, font: regular }));
  page.drawRectangle({ ...BOX, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 1 });
  // The field is the tag's extent: its text fills the box's width, centred in its height.
  const size = (BOX.width - 8) / regular.widthOfTextAtSize(TAG, 1);
  const height = regular.heightAtSize(size, { descender: true });
  const descent = height - regular.heightAtSize(size, { descender: false });
  page.drawText(TAG, { x: BOX.x + 4, y: BOX.y + (BOX.height - height) / 2 + descent, size, font: regular, color: rgb(1, 1, 1) });
  return pdf.save({ useObjectStreams: false });
}

if (import.meta.main) writeFileSync(join(import.meta.dir, "../docs/sample-contract.pdf"), await sampleContract());
