// Before @peculiar/x509, which needs the Reflect metadata API in place when it loads.
import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { AppError } from "../errors";
import { renderAuditTrail } from "../pdf/audit-trail";
import { describePdfError } from "../pdf/errors";
import { inspectPdf, type PdfFacts } from "../pdf/inspect";
import { dssUpdate, lastSignatureContents } from "../pdf/ltv";
import { buildEnvelopePdf, stampDocument } from "../pdf/stamp";
import { prepareSignature } from "../pdf/signature-update";
import { verifyPdf } from "../pdf/verify";
import { readFileSync } from "node:fs";
import type { RenderDocument } from "../pdf/render-model";
import { sha256Of, storeFileSync } from "../store/files";

/**
 * Accepts an upload only if sealing will be able to process it: the checks of inspectPdf,
 * then the parse and write paths sealing takes (the document stamped alone, and copied
 * into a multi-document envelope), run on the file with nothing to draw.
 */
export async function checkUpload(bytes: Uint8Array): Promise<PdfFacts> {
  const facts = await inspectPdf(bytes);
  const doc = { id: "upload", name: "upload.pdf", sha256: "", bytes };
  try {
    await stampDocument(doc, [], [], { appendSignaturePage: false });
    await buildEnvelopePdf([doc], [], [], { appendSignaturePage: false, title: "" });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("pdf_invalid", describePdfError(e));
  }
  return facts;
}

/** The signatures of any PDF, judged against this instance's certificate and the trust anchors (as DER: certificate objects do not cross threads). */
export const verifySignatures = (pdf: Uint8Array, opts: { instanceCertificate: ArrayBuffer; trustAnchors: ArrayBuffer[]; now: Date }) =>
  verifyPdf(pdf, {
    instanceCertificate: new X509Certificate(opts.instanceCertificate),
    trustAnchors: opts.trustAnchors.map((der) => new X509Certificate(der)),
    now: opts.now,
  });

/**
 * checkUpload, and the SHA-256 the file store names the file by, with the bytes handed back:
 * the event loop neither copies nor hashes an upload.
 */
export const checkAndHashUpload = async (bytes: Uint8Array) => ({ facts: await checkUpload(bytes), sha256: sha256Of([bytes]), bytes });

/** The SHA-256 the file store names a file in parts by, and the parts handed back. */
export const sha256Parts = (parts: Uint8Array[]) => ({ sha256: sha256Of(parts), parts });

/** A file stored in the data directory by this thread (see storeFileSync); its SHA-256. */
export const storeParts = (parts: Uint8Array[], directory: string) => storeFileSync(directory, parts);

/**
 * A document to draw into, with its bytes or with its file in the data directory: read by the
 * PDF thread itself (synchronously, at the thread's priority), so a large original never passes
 * through the event loop's heap nor the runtime's I/O threads.
 */
export type DocumentInput = Omit<RenderDocument, "bytes"> & ({ bytes: Uint8Array } | { file: string });

function read(doc: DocumentInput): RenderDocument {
  if ("bytes" in doc) return doc;
  const { file, ...rest } = doc;
  const bytes = readFileSync(file);
  return { ...rest, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** Everything the PDF workers do, by name: plain data in and out. */
export const pdfTasks = {
  checkAndHashUpload,
  stampDocument: (doc: DocumentInput, ...rest: Tail<Parameters<typeof stampDocument>>) => stampDocument(read(doc), ...rest),
  buildEnvelopePdf: (docs: DocumentInput[], ...rest: Tail<Parameters<typeof buildEnvelopePdf>>) => buildEnvelopePdf(docs.map(read), ...rest),
  verifySignatures,
  renderAuditTrail,
  prepareSignature,
  lastSignatureContents,
  dssUpdate,
  sha256Parts,
  storeParts,
};

type Tail<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

export type PdfTasks = typeof pdfTasks;
export type PdfTaskName = keyof PdfTasks;
