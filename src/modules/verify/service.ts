import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { assertPdfHeader } from "../../pdf/inspect";
import { describePdfError } from "../../pdf/errors";
import { sealingCertificate } from "../sealing/key";
import { sealingKey } from "../sealing/service";

/**
 * The verification report: integrity per signature, and trust judged against the
 * configured anchors (verify.trustAnchors) and this instance's sealing certificate.
 * Integrity and trust are separate answers: a development seal is valid, not trusted.
 */
export async function verifyDocument(deps: Pick<Deps, "sealingKey" | "trust" | "clock" | "pdf">, pdf: Uint8Array) {
  assertPdfHeader(pdf);
  const key = await sealingKey(deps);
  let signatures;
  try {
    // Off the event loop and bounded: any PDF may be sent here. Certificates cross as DER.
    ({ signatures } = await deps.pdf.run("verifySignatures", pdf, {
      instanceCertificate: sealingCertificate(key).rawData,
      trustAnchors: deps.trust.trustAnchors.map((c) => c.rawData),
      now: deps.clock.now(),
    }));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("pdf_invalid", describePdfError(e));
  }
  // After the last signature or time-stamp, only validation data (a DSS update) may follow.
  const last = signatures.at(-1);
  const valid = !!last && signatures.every((s) => s.intact) && (last.coversWholeDocument || last.changesAfter.kinds.every((k) => k === "dss"));
  const trusted = valid && signatures.every((s) => s.trusted);
  return { valid, trusted, signatures };
}
