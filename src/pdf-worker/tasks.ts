// Before @peculiar/x509, which needs the Reflect metadata API in place when it loads.
import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { AppError } from "../errors";
import { describePdfError } from "../pdf/errors";
import { inspectPdf, type PdfFacts } from "../pdf/inspect";
import { buildEnvelopePdf, stampDocument } from "../pdf/stamp";
import { verifyPdf } from "../pdf/verify";
import { taggedPagesOf } from "../pdf/text/text-tag-model";
import { sha256Of } from "../store/files";
import { composeMail } from "../modules/notifications/compose-mail";
import { sealFile } from "./seal-file";

/**
 * Accepts an upload only if sealing will be able to process it: the checks of inspectPdf,
 * then the write paths sealing takes (the document stamped alone, and copied into a
 * multi-document envelope), run on the file with nothing to draw. The file is parsed once
 * (a third of the check's time each): the inspection only reads the parse, and stamping
 * changes it only by what the copy does first (the text tags taken out), so each path
 * meets the document as it would have parsed it.
 */
export async function checkUpload(bytes: Uint8Array): Promise<PdfFacts> {
  const { facts, pdf } = await inspectPdf(bytes);
  const doc = { id: "upload", name: "upload.pdf", sha256: "", bytes, taggedPages: taggedPagesOf(facts.tags) };
  try {
    await stampDocument(doc, [], [], { appendSignaturePage: false }, pdf);
    await buildEnvelopePdf([doc], [], [], { appendSignaturePage: false, title: "" }, [pdf]);
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

/** Everything the PDF workers do, by name: plain data in and out. E-mails are composed here too, off the event loop. */
export const pdfTasks = {
  checkAndHashUpload,
  verifySignatures,
  sealFile,
  composeMail,
};

export type PdfTasks = typeof pdfTasks;
export type PdfTaskName = keyof PdfTasks;
