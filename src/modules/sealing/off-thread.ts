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
  prepare: (bytes, layout, room) => pdf.run("prepareSignature", bytes, layout, room),
});
