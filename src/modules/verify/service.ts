import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { assertPdfHeader } from "../../pdf/inspect";
import { describePdfError } from "../../pdf/errors";
import { sealingKey } from "../sealing/service";

/** The verification report, judged against this instance's sealing certificate. */
export async function verifyDocument(deps: Pick<Deps, "sealingKey" | "pdf">, pdf: Uint8Array) {
  assertPdfHeader(pdf);
  const key = await sealingKey(deps);
  let signatures;
  try {
    // Off the event loop and bounded: any PDF may be sent here.
    ({ signatures } = await deps.pdf.run("verifySignatures", pdf, key.certificate.rawData));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("pdf_invalid", describePdfError(e));
  }
  const valid = signatures.length > 0 && signatures.every((s) => s.intact) && signatures.at(-1)!.coversWholeDocument;
  return { valid, signatures };
}
