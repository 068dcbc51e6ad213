// What was changed after a signature (PDF level): the objects the later
// revisions define anew, sorted into kinds a reader can judge, and whether
// the document's DocMDP permission allows them (ISO 32000-2 12.8.2.2, with
// DSS and document time-stamps always allowed as PDF 2.0 says).
import { PDFArray, PDFDict, PDFName, PDFObject, PDFRawStream, PDFRef, PDFStream } from "pdf-lib";
import { docMdpPermission, type DocMdpPermission } from "./docmdp.ts";
import { PdfReader } from "./xref.ts";
import { CHANGE_KINDS, type ChangeKind } from "../enums";

export interface ChangesAfter {
  kinds: ChangeKind[];
  /** Every change is one the document's permissions allow (none: true). */
  allowed: boolean;
}

const allowedBy: Record<DocMdpPermission, ChangeKind[]> = {
  1: ["dss", "document-timestamp"],
  2: ["dss", "document-timestamp", "signature", "form-fill"],
  3: ["dss", "document-timestamp", "signature", "form-fill", "annotation"],
};

const name = (dict: PDFDict, key: string) => dict.get(PDFName.of(key));
const is = (dict: PDFDict, key: string, value: string) => name(dict, key) === PDFName.of(value);

/** Keys whose values differ between two versions of a dictionary (by serialisation). */
function changedKeys(before: PDFDict, after: PDFDict): string[] {
  const keys = new Set([...before.keys(), ...after.keys()].map((k) => k.decodeText()));
  return [...keys].filter((k) => String(before.get(PDFName.of(k))) !== String(after.get(PDFName.of(k))));
}

/**
 * The objects that make up the document security store (ISO 32000-2 12.8.4.3): the
 * /DSS dictionary, its arrays and what they list, and the /VRI dictionaries with theirs.
 */
function dssObjects(reader: PdfReader): Set<number> {
  const parts = new Set<number>();
  const resolve = (o: PDFObject | undefined) => {
    if (o instanceof PDFRef) parts.add(o.objectNumber);
    return safeResolve(reader, o);
  };
  const lists = (dict: PDFDict, keys: string[]) => {
    for (const k of keys) {
      const list = resolve(dict.get(PDFName.of(k)));
      if (list instanceof PDFArray) for (const o of list.asArray()) resolve(o);
    }
  };
  const root = reader.trailer.Root;
  const catalog = root ? safeResolve(reader, root) : undefined;
  const dss = catalog instanceof PDFDict ? resolve(catalog.get(PDFName.of("DSS"))) : undefined;
  if (!(dss instanceof PDFDict)) return parts;
  lists(dss, ["Certs", "OCSPs", "CRLs"]);
  const vri = resolve(dss.get(PDFName.of("VRI")));
  if (vri instanceof PDFDict)
    for (const [, entry] of vri.entries()) {
      const e = resolve(entry);
      if (!(e instanceof PDFDict)) continue;
      lists(e, ["Cert", "OCSP", "CRL"]);
      resolve(e.get(PDFName.of("TS")));
    }
  return parts;
}

/** Sorts one object defined after the signature into a kind; undefined for the bookkeeping a signature or DSS brings along. */
function classify(ref: PDFRef, after: PdfReader, before: PdfReader, context: { root?: PDFRef; dssAfter: Set<number>; dssBefore: Set<number> }): ChangeKind | undefined {
  const now = after.lookup(ref);
  const then = before.trailer.Size > ref.objectNumber ? safeLookup(before, ref) : undefined;
  const dict = now instanceof PDFDict ? now : now instanceof PDFStream ? now.dict : undefined;
  // Validation data only when the DSS lists it and it is new or was DSS already: a page's
  // content stream redefined with a /Certs key, or listed in the DSS, is still content.
  const n = ref.objectNumber;
  if (context.dssAfter.has(n) && (then === undefined || context.dssBefore.has(n))) return "dss";
  if (now instanceof PDFArray) return arrayChange(now, then, after, before);
  if (!dict) return "other";
  if (is(dict, "Type", "XRef") || is(dict, "Type", "ObjStm")) return undefined;
  if (is(dict, "Type", "DocTimeStamp")) return "document-timestamp";
  if (is(dict, "Type", "Sig")) return "signature";
  if (ref === context.root || ref.objectNumber === context.root?.objectNumber) {
    const keys = then instanceof PDFDict && now instanceof PDFDict ? changedKeys(then, now) : ["?"];
    return keys.every((k) => k === "DSS" || k === "AcroForm") ? undefined : "other";
  }
  if (name(dict, "SigFlags") !== undefined || (name(dict, "Fields") !== undefined && name(dict, "Type") === undefined)) return undefined; // AcroForm
  if (is(dict, "Type", "Page")) {
    const keys = then instanceof PDFDict && now instanceof PDFDict ? changedKeys(then, now) : ["?"];
    return keys.every((k) => k === "Annots") ? undefined : "other";
  }
  // A signature field and its widget: new, or an empty field being signed. A field signed
  // already keeps its value and appearance (a new /AP would paint over the page unsigned).
  if (is(dict, "FT", "Sig")) {
    const before = then instanceof PDFDict ? then : undefined;
    return !before || before.get(PDFName.of("V")) === undefined ? undefined : "other";
  }
  if (is(dict, "Subtype", "Widget") || name(dict, "FT") !== undefined) return then ? "form-fill" : "other";
  if (is(dict, "Type", "Annot") || (name(dict, "Subtype") !== undefined && name(dict, "Rect") !== undefined)) return "annotation";
  // Appearance streams come with the field or annotation they draw.
  if (now instanceof PDFRawStream && is(dict, "Subtype", "Form") && !then) return undefined;
  return "other";
}

/**
 * An array (/Fields, /Annots) is bookkeeping when it only gains new dictionaries (a widget,
 * a field), classified on their own; anything else (an indirect /Contents or /Annots array
 * rewritten, emptied, or given a new stream) changes what the pages show.
 */
function arrayChange(now: PDFArray, then: PDFObject | undefined, after: PdfReader, before: PdfReader): ChangeKind | undefined {
  if (then === undefined) return undefined; // a new array: what refers to it is classified
  if (!(then instanceof PDFArray) || now.size() < then.size()) return "other";
  const kept = then.asArray().every((o, i) => String(o) === String(now.get(i)));
  const added = now.asArray().slice(then.size());
  const isNewDict = (o: PDFObject) =>
    o instanceof PDFRef && (before.trailer.Size <= o.objectNumber || safeLookup(before, o) === undefined) && safeLookup(after, o) instanceof PDFDict;
  return kept && added.every(isNewDict) ? undefined : "other";
}

function safeResolve(reader: PdfReader, o: PDFObject | undefined): PDFObject | undefined {
  try {
    return reader.resolve(o);
  } catch {
    return undefined;
  }
}

function safeLookup(reader: PdfReader, ref: PDFRef): PDFObject | undefined {
  try {
    return reader.lookup(ref);
  } catch {
    return undefined;
  }
}

/** The changes made to `pdf` after its first `signedEnd` bytes (a signed revision). */
export function changesAfter(pdf: Uint8Array, signedEnd: number): ChangesAfter {
  if (signedEnd >= pdf.length) return { kinds: [], allowed: true };
  let after: PdfReader, before: PdfReader;
  try {
    after = new PdfReader(pdf);
    before = new PdfReader(pdf.subarray(0, signedEnd));
  } catch {
    return { kinds: ["other"], allowed: false }; // revisions we cannot tell apart
  }
  const resolve = (o: PDFObject | undefined) => after.resolve(o);
  const root = after.trailer.Root;
  const catalog = root ? after.lookup(root) : undefined;
  const context = { root, dssAfter: dssObjects(after), dssBefore: dssObjects(before) };
  const kinds = new Set<ChangeKind>();
  for (const n of after.changedSince(before)) {
    const kind = classify(PDFRef.of(n, 0), after, before, context);
    if (kind) kinds.add(kind);
  }
  const permission = (catalog instanceof PDFDict ? docMdpPermission(catalog, resolve) : undefined) ?? 2;
  const list = CHANGE_KINDS.filter((k) => kinds.has(k));
  return { kinds: list, allowed: list.every((k) => allowedBy[permission].includes(k)) };
}
