import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { assertPdfHeader } from "../../pdf/inspect";
import { verifyPdf } from "../../pdf/verify";
import { sealingCertificate } from "../sealing/key";
import { sealingKey } from "../sealing/service";

/**
 * The verification report: integrity per signature, and trust judged against the
 * configured anchors (verify.trustAnchors) and this instance's sealing certificate.
 * Integrity and trust are separate answers: a development seal is valid, not trusted.
 */
export async function verifyDocument(deps: Pick<Deps, "sealingKey" | "trust" | "clock">, pdf: Uint8Array) {
  assertPdfHeader(pdf);
  const key = await sealingKey(deps);
  let signatures;
  try {
    ({ signatures } = await verifyPdf(pdf, { instanceCertificate: sealingCertificate(key), trustAnchors: deps.trust.trustAnchors, now: deps.clock.now() }));
  } catch (e) {
    throw new AppError("pdf_invalid", `The PDF cannot be read: ${(e as Error).message.split("\n")[0]}`);
  }
  // After the last signature or time-stamp, only validation data (a DSS update) may follow.
  const last = signatures.at(-1);
  const valid = !!last && signatures.every((s) => s.intact) && (last.coversWholeDocument || last.changesAfter.kinds.every((k) => k === "dss"));
  const trusted = valid && signatures.every((s) => s.trusted);
  return { valid, trusted, signatures };
}
