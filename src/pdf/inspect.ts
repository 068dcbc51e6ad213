import { type PDFDocument, PDFRef, type PDFPage } from "pdf-lib";
import { docMdpPermission } from "./docmdp";
import { loadPdf } from "./document-io";
import { pageFrame } from "./page-frame";
import { AppError } from "../errors";
import { describePdfError } from "./errors";
import type { PageSize } from "../store/schema";
import { findTextTags, MAX_TEXT_TAGS, type TextTag } from "./text/text-tags";
import { listFormFields, type FormField } from "./form-fields";

export interface PdfFacts {
  pageCount: number;
  pages: PageSize[];
  tags: TextTag[];
  formFields: FormField[];
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

/** Readers look for the header in the first KiB; so do we. */
export function assertPdfHeader(bytes: Uint8Array) {
  if (!latin1(bytes.subarray(0, 1024)).includes("%PDF-"))
    throw new AppError("pdf_invalid", "The file is not a PDF (no %PDF- header)");
}

/** The header in the first KiB and %%EOF in the last (2 KiB here, for trailing junk): a whole PDF, not a cut one. */
function assertHeaderAndEndMarker(bytes: Uint8Array) {
  assertPdfHeader(bytes);
  if (!latin1(bytes.subarray(Math.max(0, bytes.length - 2048))).includes("%%EOF"))
    throw new AppError("pdf_invalid", "The PDF is truncated: it has no end-of-file marker (%%EOF)");
}

/** Page size as a viewer displays it (see page-frame.ts), rounded to 1/100 pt. */
function displayedSize(page: PDFPage): PageSize {
  const { width, height } = pageFrame(page);
  return { width: Math.round(width * 100) / 100, height: Math.round(height * 100) / 100 };
}

/**
 * Accepts a PDF only if it can be signed: a real, complete, unencrypted PDF with pages,
 * whose author did not forbid every change. Throws AppError with a stable code otherwise.
 * Answers its facts and the document as parsed, unchanged by the inspection (listFormFields
 * reads the form without pdf-lib's getForm()): the upload check stamps that parse rather than
 * parsing the file again.
 */
export async function inspectPdf(bytes: Uint8Array): Promise<{ facts: PdfFacts; pdf: PDFDocument }> {
  assertHeaderAndEndMarker(bytes);
  let doc: PDFDocument;
  try {
    doc = await loadPdf(bytes, { ignoreEncryption: true });
  } catch (e) {
    throw new AppError("pdf_invalid", describePdfError(e));
  }
  if (doc.isEncrypted) throw new AppError("pdf_encrypted", "The PDF is encrypted; remove the password or encryption and upload it again");
  let pages: PageSize[];
  try {
    pages = doc.getPages().map(displayedSize);
  } catch (e) {
    throw new AppError("pdf_invalid", describePdfError(e));
  }
  if (pages.length === 0) throw new AppError("pdf_invalid", "The PDF has no pages");
  if (docMdpPermission(doc.catalog, (o) => (o instanceof PDFRef ? doc.context.lookup(o) : o)) === 1)
    throw new AppError("pdf_certified_no_changes", "The PDF is certified with no changes allowed (DocMDP P=1): signing it would break its certification");
  const tags = textTags(doc);
  if (tags.length > MAX_TEXT_TAGS)
    throw new AppError("pdf_too_complex", `The PDF holds ${tags.length} text tags; a document may hold at most ${MAX_TEXT_TAGS}`);
  return { facts: { pageCount: pages.length, pages, tags, formFields: formFields(doc) }, pdf: doc };
}

/** A form pdf-lib cannot read lists no fields; the document can still be signed. */
function formFields(doc: PDFDocument): FormField[] {
  try {
    return listFormFields(doc);
  } catch {
    return [];
  }
}

/** A document whose text cannot be read has no tags; it is still a document that can be signed. */
function textTags(doc: PDFDocument): TextTag[] {
  try {
    return findTextTags(doc);
  } catch {
    return [];
  }
}

