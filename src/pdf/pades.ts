// PAdES sealing: an ETSI.CAdES.detached signature (CMS over the ByteRange) added
// as an incremental update, sized by a dry run.
import { digestOf } from "./algorithms.ts";
import { buildSignedData, dryRunSigner } from "./cms.ts";
import type { Signer } from "./signer.ts";
import { appendSignature, joinParts, type SealedParts, type SignatureLayout, type SignatureSpec } from "./signature-update.ts";
import type { Timestamper } from "./tsa.ts";

export { SealRefusedError } from "./incremental.ts";
export type { SealedParts } from "./signature-update.ts";

export interface SealOptions {
  signer: Signer;
  /** Claimed signing time, written as the signature dictionary's /M. */
  signingTime: Date;
  reason?: string;
  location?: string;
  name?: string;
  contactInfo?: string;
  /** RFC 3161 time-stamp authorities: a signature time-stamp makes the seal PAdES B-T. */
  timestamper?: Timestamper;
  /** Name of the new signature field; must not exist yet. Default: the first free "SignatureN". */
  fieldName?: string;
}

/**
 * Room for the CMS, measured by a dry run: the CMS built with a signature of the
 * longest possible length and the largest token the time-stamper has seen, plus slack
 * for a real token's variable parts (serial number, fractions of seconds).
 */
async function contentsSize(signer: Signer, timestamper: Timestamper | undefined): Promise<number> {
  const sizing = timestamper && (await timestamper.sizingToken());
  const known = measured.get(signer);
  if (known && known.sizing === sizing) return known.size;
  const cms = await buildSignedData({
    signer: dryRunSigner(signer),
    digest: digestOf(signer.algorithm.hash),
    timestamp: sizing && (async () => sizing),
  });
  const size = cms.length + (sizing ? 512 : 64);
  measured.set(signer, { sizing, size });
  return size;
}

/** The dry run's result per key (and sizing token): every seal with the same key and token measures the same. */
const measured = new WeakMap<Signer, { sizing: Uint8Array | undefined; size: number }>();

/**
 * The seal's signature dictionary, the CMS it receives for a digest (the key signs, the
 * time-stamp authority stamps), and the room that CMS needs: what appendSignature takes,
 * wherever the bytes are (sealing hands the dictionary and the room to a PDF thread, which
 * calls back for the CMS).
 */
export async function sealSignature(opts: SealOptions): Promise<{ layout: SignatureLayout; contents: SignatureSpec["contents"]; room: number }> {
  const { signer, timestamper } = opts;
  return {
    layout: {
      type: "Sig",
      subFilter: "ETSI.CAdES.detached",
      fieldName: opts.fieldName,
      signingTime: opts.signingTime,
      texts: { Name: opts.name, Reason: opts.reason, Location: opts.location, ContactInfo: opts.contactInfo },
      hash: signer.algorithm.hash,
    },
    contents: (digest) =>
      buildSignedData({ signer, digest, timestamp: timestamper && ((signature) => timestamper.timestamp(digestOf(timestamper.hash, signature))) }),
    room: await contentsSize(signer, timestamper),
  };
}

/**
 * Seals without building the whole sealed file in memory: for callers that
 * write `base` and `appended` one after the other (a fresh 100 MB buffer
 * costs far more to fault in than to hash).
 */
export async function sealPdfParts(pdf: Uint8Array, opts: SealOptions): Promise<SealedParts> {
  const { layout, contents, room } = await sealSignature(opts);
  return appendSignature(pdf, { ...layout, contents }, room);
}

/** Seals `pdf` with a PAdES B-B (or B-T with a `timestamper`) signature appended as an incremental update. */
export async function sealPdf(pdf: Uint8Array, opts: SealOptions): Promise<Uint8Array> {
  return joinParts(await sealPdfParts(pdf, opts));
}
