import { readFileSync } from "node:fs";
import type { RenderDocument } from "../pdf/render-model";

/**
 * A file for a PDF task: its bytes, or its path in the data directory, read by the PDF thread
 * itself (synchronously, at the thread's priority), so a large file never passes through the
 * event loop's heap nor the runtime's I/O threads.
 */
export type FileInput = { bytes: Uint8Array } | { file: string };

/** A document to draw into, with its file. */
export type DocumentInput = Omit<RenderDocument, "bytes"> & FileInput;

export function readInput(input: FileInput): Uint8Array {
  if ("bytes" in input) return input.bytes;
  const bytes = readFileSync(input.file);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function readDocument(doc: DocumentInput): RenderDocument {
  if ("bytes" in doc) return doc;
  const { file, ...rest } = doc;
  return { ...rest, bytes: readInput({ file }) };
}
