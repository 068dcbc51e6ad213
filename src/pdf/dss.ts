// The Document Security Store (ISO 32000-2 12.8.4.3, ETSI EN 319 142-1 5.4.2):
// certificates, OCSP responses and CRLs a validator needs, kept in the file
// itself. Added as an incremental update; what an earlier DSS holds is kept.
// No /VRI dictionaries: validators match the material to signatures themselves
// (pyHanko and Adobe do), and a VRI keyed by signature hash adds nothing we test.
import { PDFArray, PDFDict, PDFName, PDFObject, PDFRawStream, PDFRef } from "pdf-lib";
import { digestOf } from "./algorithms.ts";
import { buildUpdate, type Resolve } from "./incremental.ts";
import type { SealedParts } from "./signature-update.ts";
import { decodeStructuralStream, PdfReader, XrefError } from "./xref.ts";

/** DER blobs: certificates, OCSP responses (OCSPResponse), CRLs. */
export interface ValidationMaterial {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

const KEYS = { certs: "Certs", ocsps: "OCSPs", crls: "CRLs" } as const;

export const emptyMaterial = (): ValidationMaterial => ({ certs: [], ocsps: [], crls: [] });

/** The DSS of the document whose catalog is given (empty when it has none). */
export function readDss(catalog: PDFObject | undefined, resolve: Resolve): ValidationMaterial {
  const material = emptyMaterial();
  const dss = catalog instanceof PDFDict ? resolve(catalog.get(PDFName.of("DSS"))) : undefined;
  if (!(dss instanceof PDFDict)) return material;
  for (const [field, key] of Object.entries(KEYS) as [keyof ValidationMaterial, string][]) {
    const array = resolve(dss.get(PDFName.of(key)));
    if (!(array instanceof PDFArray)) continue;
    for (const item of array.asArray()) {
      const stream = resolve(item);
      if (!(stream instanceof PDFRawStream)) continue;
      try {
        material[field].push(decodeStructuralStream(stream));
      } catch {
        // an entry we cannot decode is as good as absent
      }
    }
  }
  return material;
}

const fingerprint = (der: Uint8Array) => Buffer.from(digestOf("SHA-256", der)).toString("hex");

/**
 * Appends a DSS update adding what `add` holds and the document's DSS lacks.
 * Undefined when there is nothing new (no empty revision is written).
 */
export function appendDss(pdf: Uint8Array, add: ValidationMaterial): SealedParts | undefined {
  const reader = new PdfReader(pdf);
  const catalogRef = reader.trailer.Root;
  const catalog = reader.lookup(catalogRef!);
  if (!catalogRef || !(catalog instanceof PDFDict)) throw new XrefError("the document catalog is missing");
  const resolve: Resolve = (o) => reader.resolve(o);
  const present = readDss(catalog, resolve);
  const { context } = reader;
  const changed = new Map<PDFRef, PDFObject>();
  let nextNumber = reader.trailer.Size;

  const dssValue = catalog.get(PDFName.of("DSS"));
  const existing = resolve(dssValue);
  const dss = existing instanceof PDFDict ? existing : context.obj({});
  let added = 0;
  for (const [field, key] of Object.entries(KEYS) as [keyof ValidationMaterial, string][]) {
    const seen = new Set(present[field].map(fingerprint));
    const fresh = add[field].filter((der) => {
      const f = fingerprint(der);
      if (seen.has(f)) return false;
      seen.add(f);
      return true;
    });
    if (fresh.length === 0) continue;
    const arrayValue = dss.get(PDFName.of(key));
    const current = resolve(arrayValue);
    const array = current instanceof PDFArray ? current : context.obj([]);
    for (const der of fresh) {
      const ref = PDFRef.of(nextNumber++);
      changed.set(ref, context.flateStream(der));
      array.push(ref);
    }
    if (arrayValue instanceof PDFRef && current instanceof PDFArray) changed.set(arrayValue, array);
    else dss.set(PDFName.of(key), array);
    added += fresh.length;
  }
  if (added === 0) return undefined;
  if (dssValue instanceof PDFRef && existing instanceof PDFDict) {
    changed.set(dssValue, dss);
  } else if (existing instanceof PDFDict) {
    changed.set(catalogRef, catalog); // a direct DSS changes with its catalog
  } else {
    const ref = PDFRef.of(nextNumber++);
    changed.set(ref, dss);
    catalog.set(PDFName.of("DSS"), ref);
    changed.set(catalogRef, catalog);
  }
  return { base: pdf, appended: buildUpdate(pdf, reader, [...changed]).bytes };
}
