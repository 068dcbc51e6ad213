import type { X509Certificate } from "@peculiar/x509";
import type { Deps } from "../../deps";
import type { SealCalls, SealedFile, SealPlan, SealSource } from "../../pdf-worker/seal-file";
import { ltvSources, noTimestamper, type LtvSources } from "../../pdf/ltv";
import { sealSignature, type SealOptions } from "../../pdf/pades";

export interface SealRequest {
  /** The PAdES seal to append (B-B, or B-T with its time-stamper); absent: a renewal. */
  seal?: SealOptions;
  extend?: SealPlan["extend"];
  /** Issuers the CMSes may leave out (the key's chain, the trust anchors), for the validation data: asked for when it is gathered. */
  certificates(): Promise<X509Certificate[]>;
  /** Whether the sealed file goes to the file store (its SHA-256 comes back) or its parts come back. */
  store: boolean;
}

/**
 * Seals on a PDF thread (pdf-worker/seal-file.ts): that thread draws the PDF, writes and hashes
 * the seal's update, appends validation data and time-stamps and, in a data directory, stores the
 * file, so a large file's bytes never reach the event loop (a 100 MB array arriving there cost it
 * ~2 ms of CPU, twice per seal). In a bucket the sealed file's parts come back and the store
 * uploads them. The event loop answers the thread's calls, a few kilobytes each: the key signs the
 * digest here (a CryptoKey, an HSM session does not cross threads), the fetches (OCSP, CRL, TSA)
 * run here, each only when the thread needs it.
 */
export async function sealOnThread(deps: Pick<Deps, "pdf" | "files" | "trust">, source: SealSource, request: SealRequest): Promise<SealedFile> {
  const { extend } = request;
  const { timestamper } = deps.trust;
  const signature = request.seal && (await sealSignature(request.seal));
  const needsTimestamp = !!extend && ("renewBefore" in extend || extend.level === "B-LTA");
  if (needsTimestamp && !timestamper) throw noTimestamper();
  let sources: Promise<LtvSources> | undefined;
  const ltv = () => (sources ??= request.certificates().then((certificates) => ltvSources({ ...deps.trust, certificates })));
  const answers: SealCalls = {
    contents: (digest) => signature!.contents(digest),
    material: async (cms) => (await ltv()).material(cms),
    timestampRoom: async () => (await ltv()).timestamp!.room(),
    timestamp: async (digest) => (await ltv()).timestamp!.token(digest),
  };
  // Only a time-stamp and validation data are fetched; a B-B seal's one call is the key's signature.
  const calls = { answers, mayWait: !!request.seal?.timestamper || !!extend };
  const sealed = await deps.pdf.handOverCalling(calls, "sealFile", {
    source,
    seal: signature && { layout: signature.layout, room: signature.room },
    extend,
    timestamp: needsTimestamp ? { hash: timestamper!.hash } : undefined,
    directory: request.store ? deps.files.directory : null,
  });
  if (sealed?.parts && request.store) await deps.files.put(sealed.parts, sealed.sha256);
  return sealed;
}
