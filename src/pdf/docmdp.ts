// The author's DocMDP permission (ISO 32000-1 12.8.2.2), read one way for
// upload, sealing and verification.
import { PDFArray, PDFDict, PDFName, PDFNumber } from "pdf-lib";
import type { Resolve } from "./incremental.ts";

/** What a certification signature lets others do after it: 1 nothing, 2 fill forms and sign, 3 also annotate. */
export type DocMdpPermission = 1 | 2 | 3;

/**
 * The permission of the document's certification signature, if it has one: the
 * signature reference of /Perms /DocMDP whose /TransformMethod is /DocMDP (a FieldMDP
 * or UR reference says nothing about the whole document), /P defaulting to 2.
 */
export function docMdpPermission(catalog: PDFDict, resolve: Resolve): DocMdpPermission | undefined {
  const perms = resolve(catalog.get(PDFName.of("Perms")));
  if (!(perms instanceof PDFDict)) return undefined;
  const sig = resolve(perms.get(PDFName.of("DocMDP")));
  if (!(sig instanceof PDFDict)) return undefined;
  const refs = resolve(sig.get(PDFName.of("Reference")));
  if (!(refs instanceof PDFArray)) return undefined;
  for (let i = 0; i < refs.size(); i++) {
    const ref = resolve(refs.get(i));
    if (!(ref instanceof PDFDict) || resolve(ref.get(PDFName.of("TransformMethod"))) !== PDFName.of("DocMDP")) continue;
    const params = resolve(ref.get(PDFName.of("TransformParams")));
    const p = params instanceof PDFDict ? resolve(params.get(PDFName.of("P"))) : undefined;
    const level = p instanceof PDFNumber ? p.asNumber() : 2;
    return level === 1 || level === 3 ? level : 2;
  }
  return undefined;
}
