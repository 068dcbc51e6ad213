import { readFileBytes } from "./runtime.js";

/** A PDF to send: bytes, a Blob (or File), or a file path on Node, Bun and Deno. */
export type FileSource = Uint8Array | ArrayBuffer | Blob | string;

const baseName = (path: string) => path.split(/[\\/]/).pop() || "document.pdf";

/** A multipart form with the PDF in `file`, named after the given name, the File's or the path's. */
export async function pdfForm(source: FileSource, name?: string): Promise<{ form: FormData; fileName: string }> {
  let blob: Blob;
  let fileName = name;
  if (typeof source === "string") {
    blob = new Blob([await readFileBytes(source)], { type: "application/pdf" });
    fileName ??= baseName(source);
  } else if (source instanceof Blob) {
    blob = source;
    fileName ??= (source as Blob & { name?: string }).name || undefined;
  } else {
    // A copy, so a view over a SharedArrayBuffer is accepted too.
    blob = new Blob([source instanceof ArrayBuffer ? source : new Uint8Array(source)], { type: "application/pdf" });
  }
  fileName ??= "document.pdf";
  const form = new FormData();
  form.append("file", blob, fileName);
  return { form, fileName };
}
