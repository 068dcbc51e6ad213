import { readFileBytes } from "./runtime.js";

/** A file to send (a PDF; a CSV for a bulk send): bytes, a Blob (or File), or a file path on Node, Bun and Deno. */
export type FileSource = Uint8Array | ArrayBuffer | Blob | string;

const baseName = (path: string) => path.split(/[\\/]/).pop() || undefined;

/** A multipart form with the PDF in `file`, named after the given name, the File's or the path's. */
export function pdfForm(source: FileSource, name?: string): Promise<{ form: FormData; fileName: string }> {
  return fileForm(source, name, "application/pdf", "document.pdf");
}

/** A multipart form with the file in `file` (of the given type), named as `pdfForm` names it. */
export async function fileForm(source: FileSource, name: string | undefined, type: string, fallbackName: string): Promise<{ form: FormData; fileName: string }> {
  let blob: Blob;
  let fileName = name;
  if (typeof source === "string") {
    blob = new Blob([await readFileBytes(source)], { type });
    fileName ??= baseName(source);
  } else if (source instanceof Blob) {
    blob = source;
    fileName ??= (source as Blob & { name?: string }).name || undefined;
  } else {
    // A copy, so a view over a SharedArrayBuffer is accepted too.
    blob = new Blob([source instanceof ArrayBuffer ? source : new Uint8Array(source)], { type });
  }
  fileName ??= fallbackName;
  const form = new FormData();
  form.append("file", blob, fileName);
  return { form, fileName };
}
