import { renderAuditTrail, type AuditTrailInput } from "../pdf/audit-trail";
import type { ValidationMaterial } from "../pdf/dss";
import { atLeast, type PadesLevel } from "../pdf/levels";
import { extendToLevel, lastArchiveTimestampExpiry, renewArchiveTimestamp, type LtvSources } from "../pdf/ltv";
import type { RenderField, RenderRecipient } from "../pdf/render-model";
import type { HashName } from "../pdf/signer";
import { appendSignature, joinParts, type SignatureLayout } from "../pdf/signature-update";
import { buildEnvelopePdf, stampDocument, type EnvelopePdfOptions, type StampOptions } from "../pdf/stamp";
import { sha256Of, storeFileSync } from "../store/files";
import { callMain } from "./calls";
import { readDocument, readInput, type DocumentInput, type FileInput } from "./file-input";

/** What is sealed: a PDF the thread draws (one document stamped, an envelope built, an audit trail), or a sealed file to renew. */
export type SealSource =
  | { stamp: [DocumentInput, RenderRecipient[], RenderField[], StampOptions] }
  | { build: [DocumentInput[], RenderRecipient[], RenderField[], EnvelopePdfOptions] }
  | { render: AuditTrailInput }
  | { sealed: FileInput };

export interface SealPlan {
  source: SealSource;
  /** The PAdES seal to append: its dictionary and the room for its CMS, which the main thread makes from the digest (call "contents"). */
  seal?: { layout: SignatureLayout; room: number };
  /**
   * After the seal: validation data (B-LT), then a document time-stamp and its own (B-LTA); or,
   * on a sealed file whose last document time-stamp's certificate expires before `renewBefore`,
   * a new time-stamp and its validation data (archival renewal).
   */
  extend?: { level: PadesLevel } | { renewBefore: Date };
  /** The time-stamp authority's hash (calls "timestampRoom", "timestamp"), when `extend` needs a document time-stamp. */
  timestamp?: { hash: HashName };
  /** The data directory this thread stores the sealed file in; null (a bucket): the file's parts come back. */
  directory: string | null;
}

/** The sealed file's SHA-256, and its parts (null when this thread stored it); null when a renewal was not due. */
export type SealedFile = { sha256: string; parts: Uint8Array[] | null } | null;

/** What the main thread answers a sealing task: the seal's CMS, validation data, a time-stamp token. */
export type SealCalls = {
  contents(digest: Uint8Array): Promise<Uint8Array>;
  material(cms: Uint8Array): Promise<ValidationMaterial>;
  timestampRoom(): Promise<number>;
  timestamp(digest: Uint8Array): Promise<Uint8Array>;
};

const call = <K extends keyof SealCalls>(name: K) => (...args: Parameters<SealCalls[K]>) => callMain<Awaited<ReturnType<SealCalls[K]>>>(name, ...args);

/** The file the parts make, one after the other. */
const whole = (parts: Uint8Array[]) => (parts.length === 1 ? parts[0]! : joinParts({ base: parts[0]!, appended: parts[1]! }));

function draw(source: SealSource): Promise<Uint8Array> | Uint8Array {
  if ("stamp" in source) return stampDocument(readDocument(source.stamp[0]), ...source.stamp.slice(1) as [RenderRecipient[], RenderField[], StampOptions]);
  if ("build" in source) return buildEnvelopePdf(source.build[0].map(readDocument), ...source.build.slice(1) as [RenderRecipient[], RenderField[], EnvelopePdfOptions]);
  if ("render" in source) return renderAuditTrail(source.render);
  return readInput(source.sealed);
}

/**
 * A whole seal on one PDF thread: the PDF drawn (or read), the seal's update written and its
 * ByteRange hashed, the validation data and time-stamps appended, the file stored. The file's
 * bytes stay on this thread from the first step to the last; the main thread only answers the
 * calls (SealCalls) with a few kilobytes: the key signs a digest there, the fetches run there.
 */
export async function sealFile(plan: SealPlan): Promise<SealedFile> {
  let parts = [await draw(plan.source)];
  const sources: LtvSources = {
    material: call("material"),
    timestamp: plan.timestamp && { hash: plan.timestamp.hash, room: call("timestampRoom"), token: call("timestamp") },
  };
  if (plan.extend && "renewBefore" in plan.extend) {
    const expiry = await lastArchiveTimestampExpiry(parts[0]!);
    if (!expiry || expiry > plan.extend.renewBefore) return null;
    parts = [await renewArchiveTimestamp(parts[0]!, sources)];
  }
  // The seal hashes the file along with its own digest (SealedParts.sha256); what changes it after that hashes it anew.
  let sha256: string | undefined;
  if (plan.seal) {
    const sealed = await appendSignature(parts[0]!, { ...plan.seal.layout, contents: call("contents") }, plan.seal.room);
    parts = [sealed.base, sealed.appended];
    sha256 = sealed.sha256;
  }
  if (plan.extend && "level" in plan.extend && atLeast(plan.extend.level, "B-LT")) {
    parts = [await extendToLevel(whole(parts), plan.extend.level, sources)];
    sha256 = undefined;
  }
  if (plan.directory) return { sha256: storeFileSync(plan.directory, parts, sha256), parts: null };
  return { sha256: sha256 ?? sha256Of(parts), parts };
}
