// Generated PDFs the benchmarks share.
import { PDFDocument, PDFName } from "pdf-lib";

/** Pages each carrying one ~1 MB image of random (incompressible) RGB pixels. */
export async function imagePdf(megabytes: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const width = 640, height = 546; // 640 * 546 * 3 ≈ 1 MiB
  for (let i = 0; i < megabytes; i++) {
    const pixels = randomBytes(width * height * 3);
    const image = doc.context.register(
      doc.context.stream(pixels, { Type: "XObject", Subtype: "Image", Width: width, Height: height, ColorSpace: "DeviceRGB", BitsPerComponent: 8 }),
    );
    const page = doc.addPage([width, height]);
    page.node.setXObject(PDFName.of("Im0"), image);
    const content = doc.context.register(doc.context.stream(`q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`));
    page.node.set(PDFName.of("Contents"), content);
  }
  return doc.save({ useObjectStreams: false });
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

/** A blank one-page PDF uploaded through the API (POST /api/v1/documents): the document's id. */
export async function uploadOnePagePdf(baseUrl: string, headers: Record<string, string>): Promise<string> {
  const pdf = await PDFDocument.create();
  pdf.addPage();
  const form = new FormData();
  form.set("file", new File([new Uint8Array(await pdf.save())], "bench.pdf"));
  const res = await fetch(`${baseUrl}/api/v1/documents`, { method: "POST", body: form, headers });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
