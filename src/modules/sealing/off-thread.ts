import type { X509Certificate } from "@peculiar/x509";
import { statSync } from "node:fs";
import type { Deps } from "../../deps";
import type { FileInput } from "../../pdf-worker/file-input";
import type { SealCalls, SealedFile, SealPlan, SealSource } from "../../pdf-worker/seal-file";
import { ltvSources, noTimestamper, type LtvSources } from "../../pdf/ltv";
import { sealSignature, type SealOptions } from "../../pdf/pades";

/**
 * A seal of this much PDF takes long enough (a few milliseconds a megabyte to stamp: about half a
 * second for 100 MB) to be a long task of the PDF threads (pool.ts TaskCalls.long): two 100 MB
 * seals side by side took both cores from the event loop (an authenticated GET's p99 while
 * sealing 2.2x of idle, against 1.5x one at a time).
 */
const LONG_SEAL_BYTES = 10 * 1024 * 1024;

// A file gone missing is the PDF thread's to report, as when it reads it.
const inputBytes = (input: FileInput) => ("bytes" in input ? input.bytes.length : (statSync(input.file, { throwIfNoEntry: false })?.size ?? 0));

/** The bytes of the PDFs a seal starts from (the audit trail alone is drawn from data: small). */
function sourceBytes(source: SealSource): number {
  if ("stamp" in source) return inputBytes(source.stamp[0]);
  if ("build" in source) return source.build[0].reduce((sum, doc) => sum + inputBytes(doc), 0);
  if ("sealed" in source) return inputBytes(source.sealed);
  return 0;
}

/**
 * Whether a seal is a long task of the PDF threads: it waits on the network (a time-stamp, B-T
 * and above; validation data, B-LT and above; a renewal), or its PDF is large. A B-B seal's one
 * call to the main thread is the key's signature, made at once.
 */
export const isLongSeal = (source: SealSource, request: Pick<SealRequest, "seal" | "extend">) =>
  !!request.seal?.timestamper || !!request.extend || sourceBytes(source) >= LONG_SEAL_BYTES;

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
  const sealed = await deps.pdf.handOverCalling({ answers, long: isLongSeal(source, request) }, "sealFile", {
    source,
    seal: signature && { layout: signature.layout, room: signature.room },
    extend,
    timestamp: needsTimestamp ? { hash: timestamper!.hash } : undefined,
    directory: request.store ? deps.files.directory : null,
  });
  if (sealed?.parts && request.store) await deps.files.put(sealed.parts, sealed.sha256);
  return sealed;
}
