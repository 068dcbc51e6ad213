import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { assertPdfHeader } from "../../pdf/inspect";
import { verifyPdf } from "../../pdf/verify";
import { sealingKey } from "../sealing/service";

/** The verification report, judged against this instance's sealing certificate. */
export async function verifyDocument(deps: Pick<Deps, "sealingKey">, pdf: Uint8Array) {
  assertPdfHeader(pdf);
  const key = await sealingKey(deps);
  let signatures;
  try {
    ({ signatures } = await verifyPdf(pdf, { instanceCertificate: key.certificate }));
  } catch (e) {
    throw new AppError("pdf_invalid", `The PDF cannot be read: ${(e as Error).message.split("\n")[0]}`);
  }
  const valid = signatures.length > 0 && signatures.every((s) => s.intact) && signatures.at(-1)!.coversWholeDocument;
  return { valid, signatures };
}
