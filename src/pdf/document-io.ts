/**
 * pdf-lib's load and save as the PDF threads call them. By default pdf-lib yields to the event
 * loop with a setTimeout(0) every 100 objects it parses and every 50 it writes, for a page that
 * must keep painting; a PDF thread has nothing else to run (its bound is kept by the main
 * thread, which stops it), and each yield left it idle ~1 ms: 200 ms on a file of 20,000
 * objects.
 */
import { type LoadOptions, ParseSpeeds, PDFDocument } from "pdf-lib";

export const loadPdf = (bytes: Uint8Array, opts: Omit<LoadOptions, "parseSpeed" | "updateMetadata"> = {}) =>
  PDFDocument.load(bytes, { ...opts, updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });

export const savePdf = (pdf: PDFDocument) => pdf.save({ objectsPerTick: Infinity });
