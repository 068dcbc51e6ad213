// Long-term validation (ETSI EN 319 142-1): after the signature, a DSS with the
// chains and revocation data of the signer and of its time-stamp authority
// (B-LT), then a document time-stamp over the whole file and the DSS completed
// for the time-stamp's own chain (B-LTA). Each step is an incremental update;
// the signature itself is never rewritten.
import type { X509Certificate } from "@peculiar/x509";
import { buildPath, crlUrls, hasOcspNoCheck, isSelfIssued, mergeCertificates, ocspUrls } from "./certs.ts";
import { checkSignedData } from "./cms-validation.ts";
import { appendDss, emptyMaterial, type ValidationMaterial } from "./dss.ts";
import { atLeast, type PadesLevel } from "./levels.ts";
import type { RevocationFetcher } from "./revocation-fetch.ts";
import { openForReading, readSignatures } from "./signature-fields.ts";
import type { HashName } from "./signer.ts";
import { appendSignature, joinParts, type SealedParts } from "./signature-update.ts";
import type { Timestamper } from "./tsa.ts";


/** Validation data could not be gathered. `permanent`: retrying will not help (a revoked or unreachable-by-design certificate). */
export class LtvError extends Error {
  override name = "LtvError";
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

export interface LtvServices {
  timestamper?: Timestamper;
  revocation: RevocationFetcher;
  /** Issuers a CMS may leave out (the sealing key's own chain, trust anchors): paths are built through them. */
  certificates?: X509Certificate[];
}

/**
 * What extending a file needs besides its bytes, as plain data in and out: the validation data
 * for a signature's or time-stamp's CMS (fetched from OCSP responders and CRL distribution
 * points), and document time-stamps. So the byte work (parsing, writing the updates, hashing)
 * can run on a PDF thread that holds the file while these stay on the main thread (sealing).
 */
export interface LtvSources {
  /** The certificates and revocation data of the CMS's signer (and of its signature time-stamp's). */
  material(cms: Uint8Array): Promise<ValidationMaterial>;
  /** The time-stamp authority, absent without one: its hash, the room its token needs, a token for a digest. */
  timestamp?: { hash: HashName; room(): Promise<number>; token(digest: Uint8Array): Promise<Uint8Array> };
}

/** The sources from the services: the fetches and the time-stamp authority. */
export const ltvSources = (services: LtvServices): LtvSources => {
  const { timestamper } = services;
  return {
    async material(cms) {
      const { leaves, pool } = await cmsCertificates(cms);
      return gatherValidationMaterial(leaves, mergeCertificates(pool, services.certificates ?? []), services.revocation);
    },
    timestamp: timestamper && { hash: timestamper.hash, room: async () => (await timestamper.sizingToken()).length + 512, token: (digest) => timestamper.timestamp(digest) },
  };
};

async function lastSignatureContents(pdf: Uint8Array): Promise<Uint8Array | undefined> {
  const { catalog, resolve } = await openForReading(pdf);
  return readSignatures(pdf, catalog, resolve).at(-1)?.contents;
}

/** When the certificate of the file's last document time-stamp expires; undefined when it has none (not B-LTA). */
export async function lastArchiveTimestampExpiry(pdf: Uint8Array): Promise<Date | undefined> {
  const { catalog, resolve } = await openForReading(pdf);
  const last = readSignatures(pdf, catalog, resolve).findLast((s) => s.type === "DocTimeStamp" && s.contents);
  if (!last) return undefined;
  return (await checkSignedData(last.contents!)).signer?.notAfter;
}

/** The certificates a signature or time-stamp token names, and all those its CMS carries. */
async function cmsCertificates(cms: Uint8Array): Promise<{ leaves: X509Certificate[]; pool: X509Certificate[] }> {
  const check = await checkSignedData(cms);
  const leaves = check.signer ? [check.signer] : [];
  let pool = check.certificates;
  if (check.signatureTimestamp) {
    const token = await checkSignedData(check.signatureTimestamp);
    if (token.signer) leaves.push(token.signer);
    pool = mergeCertificates(pool, token.certificates);
  }
  return { leaves, pool };
}

const describe = (cert: X509Certificate) => cert.subject;

/** Why `path` (a certificate, then its issuers) cannot get revocation data, if it cannot: checked at start and before each fetch. */
function obstacleOnPath(path: X509Certificate[], i: number): string | undefined {
  const cert = path[i]!;
  if (isSelfIssued(cert)) return undefined;
  if (!path[i + 1]) return `the issuer of "${describe(cert)}" (${cert.issuer}) is missing from the chain`;
  if (ocspUrls(cert).length === 0 && crlUrls(cert).length === 0) return `"${describe(cert)}" names no OCSP responder nor CRL distribution point`;
  return undefined;
}

/** Why the certificate's validation data cannot be gathered (for a start-up check), or undefined. */
export async function ltvObstacle(cert: X509Certificate, pool: X509Certificate[]): Promise<string | undefined> {
  const { certificates } = await buildPath(cert, pool, []);
  for (let i = 0; i < certificates.length; i++) {
    const obstacle = obstacleOnPath(certificates, i);
    if (obstacle) return obstacle;
  }
  return undefined;
}

/**
 * Revocation data for every certificate on the paths of `leaves` but self-issued roots, and
 * for delegated OCSP responders (unless they carry ocsp-nocheck); the certificates go in too.
 * A revoked certificate, or one that cannot have revocation data, is an LtvError.
 */
export async function gatherValidationMaterial(leaves: X509Certificate[], pool: X509Certificate[], fetcher: RevocationFetcher): Promise<ValidationMaterial> {
  const material = emptyMaterial();
  const done = new Set<string>();
  const visit = async (leaf: X509Certificate, depth: number): Promise<void> => {
    const { certificates } = await buildPath(leaf, pool, []);
    for (let i = 0; i < certificates.length; i++) {
      const cert = certificates[i]!;
      if (done.has(cert.serialNumber + cert.issuer) || isSelfIssued(cert)) continue;
      done.add(cert.serialNumber + cert.issuer);
      material.certs.push(new Uint8Array(cert.rawData));
      const obstacle = obstacleOnPath(certificates, i);
      if (obstacle) throw new LtvError(`${obstacle}: it cannot be validated long-term`, true);
      const issuer = certificates[i + 1]!;
      const fetched = await fetcher.fetch(cert, issuer);
      if (!fetched) throw new LtvError(`no revocation data for "${describe(cert)}": its OCSP responder and CRL distribution points did not answer`, false);
      if (fetched.answer.status === "revoked") throw new LtvError(`"${describe(cert)}" is revoked (since ${fetched.answer.revokedAt?.toISOString()})`, true);
      (fetched.kind === "ocsp" ? material.ocsps : material.crls).push(fetched.der);
      const responder = fetched.answer.responder;
      if (responder) {
        material.certs.push(new Uint8Array(responder.rawData));
        if (!hasOcspNoCheck(responder) && depth < 3) await visit(responder, depth + 1);
      }
    }
  };
  for (const leaf of leaves) await visit(leaf, 0);
  return material;
}

/** Adds the DSS for the last signature or time-stamp of `pdf`; the file unchanged when nothing is new. */
async function addValidationData(pdf: Uint8Array, sources: LtvSources): Promise<Uint8Array> {
  const contents = await lastSignatureContents(pdf);
  if (!contents) throw new LtvError("the document has no readable signature to validate", true);
  const appended = appendDss(pdf, await sources.material(contents))?.appended;
  return appended ? joinParts({ base: pdf, appended }) : pdf;
}

/** Appends a document time-stamp (/DocTimeStamp, ETSI.RFC3161) over the whole file. */
export async function addDocumentTimestamp(pdf: Uint8Array, timestamp: NonNullable<LtvSources["timestamp"]>): Promise<SealedParts> {
  return appendSignature(pdf, { type: "DocTimeStamp", subFilter: "ETSI.RFC3161", hash: timestamp.hash, contents: timestamp.token }, await timestamp.room());
}

/** Why a document time-stamp cannot be made: no time-stamp authority. */
export const noTimestamper = () => new LtvError("a document time-stamp needs a time-stamp authority (CERTYNEO_SEAL_TSA_URL)", true);

/**
 * Takes a freshly sealed PDF (its last signature) from B-T to `level`: DSS for B-LT, then a
 * document time-stamp and its DSS for B-LTA. `services`: the fetches and the time-stamp
 * authority, or their sources (ltvSources) when the bytes are on another thread than they.
 */
export async function extendToLevel(pdf: Uint8Array, level: PadesLevel, services: LtvServices | LtvSources): Promise<Uint8Array> {
  if (!atLeast(level, "B-LT")) return pdf;
  const sources = "material" in services ? services : ltvSources(services);
  let out = await addValidationData(pdf, sources);
  if (atLeast(level, "B-LTA")) out = await renewArchiveTimestamp(out, sources);
  return out;
}

/**
 * A new document time-stamp, then the DSS for its chain (`pyhanko sign ltaupdate`): used
 * to reach B-LTA, and later to renew it before the last time-stamp's certificate expires.
 */
export async function renewArchiveTimestamp(pdf: Uint8Array, services: LtvServices | LtvSources): Promise<Uint8Array> {
  const sources = "material" in services ? services : ltvSources(services);
  if (!sources.timestamp) throw noTimestamper();
  return addValidationData(joinParts(await addDocumentTimestamp(pdf, sources.timestamp)), sources);
}
