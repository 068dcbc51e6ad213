import type { Deps } from "../../deps";
import type { PdfWorkers } from "../../pdf-worker/pool";
import type { LtvByteWork } from "../../pdf/ltv";

/**
 * Sealing's byte work (parsing, writing the updates, hashing the ByteRange) on the PDF
 * workers: the event loop only waits. The key signs the digest, and the OCSP/CRL/TSA fetches
 * run, on the main thread: a key (a CryptoKey, an HSM session) does not cross threads.
 */
export const offThread = (pdf: PdfWorkers): LtvByteWork => ({
  lastSignatureContents: (bytes) => pdf.run("lastSignatureContents", bytes),
  dssUpdate: (bytes, material) => pdf.run("dssUpdate", bytes, material),
  // The file to sign goes over and its base comes back, handed over both ways: a copy of a 100 MB file held the event loop ~50 ms.
  prepare: (bytes, layout, room) => pdf.handOver("prepareSignature", bytes, layout, room),
});

/**
 * Stores a sealed file's parts, handed over to a worker: in a data directory the worker hashes and
 * writes the file itself (the event loop neither hashes nor writes, and the bytes do not come
 * back); in a bucket it hashes them, hands them back, and the store uploads them.
 */
export async function storeOffThread(deps: Pick<Deps, "pdf" | "files">, parts: Uint8Array[]): Promise<string> {
  if (deps.files.directory) return deps.pdf.handOver("storeParts", parts, deps.files.directory);
  const { sha256, parts: back } = await deps.pdf.handOver("sha256Parts", parts);
  return deps.files.put(back, sha256);
}
