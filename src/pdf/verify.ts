// Verification report: for each signature and document time-stamp of a PDF,
// the PDF-level answers (what it covers, what changed after it, the PAdES
// level reached) on top of the CMS-level ones (intact, signer, time-stamp) and
// trust (path to a configured anchor, revocation at signing time from the DSS).
import "reflect-metadata";
import { ExtendedKeyUsage, ExtendedKeyUsageExtension, X509Certificate } from "@peculiar/x509";
import { digestOf } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";
import { changesAfter, type ChangesAfter } from "./changes.ts";
import { checkSignedData, checkTimestampToken, type TimestampCheck } from "./cms-validation.ts";
import { readDss } from "./dss.ts";
import { atLeast, type PadesLevel } from "./levels.ts";
import { hashRanges, openForReading, readSignatures, type EmbeddedSignature } from "./signature-fields.ts";
import { assessCertificate, type CertificateAssessment, type RevocationVerdict, type TrustContext } from "./trust.ts";

export interface TimestampReport {
  /** genTime of the token, ISO 8601. */
  time: string | null;
  /** The token's signature verifies and it stamps what it should. */
  intact: boolean;
  /** The authority's certificate is for time-stamping and chains to a trust anchor. */
  trusted: boolean;
  authority: string;
}

export interface SignatureReport {
  fieldName: string | null;
  /** A signature, or a document time-stamp (/DocTimeStamp, PAdES B-LTA). */
  kind: "signature" | "document-timestamp";
  subFilter: string;
  signerSubject: string;
  issuer: string;
  /** ISO 8601: the dictionary's /M, else the signing-time signed attribute (claimed, not proven). */
  signingTime: string | null;
  /** ISO 8601 time of the RFC 3161 token (signature time-stamp, or the document time-stamp itself). */
  timestampTime: string | null;
  /** The signed bytes hash to the signed digest and the CMS signature verifies with the signer's key. */
  intact: boolean;
  coversWholeDocument: boolean;
  bytesAppendedAfter: number;
  /** What the revisions after this one changed, and whether the document's permissions allow it. */
  changesAfter: ChangesAfter;
  /** The signer's certificate path: its subject first, up to the trust anchor or as far as it goes. */
  chain: string[];
  /** The path ends in a configured trust anchor, every certificate valid at the signing time. */
  trusted: boolean;
  /** Revocation status at the signing time, from the validation data in the file. */
  revocation: RevocationVerdict;
  revocationSources: ("ocsp" | "crl")[];
  /** The signature time-stamp (for a document time-stamp: the token itself). */
  timestamp: TimestampReport | null;
  /** The PAdES baseline level reached (ETSI.CAdES.detached signatures only). */
  level: PadesLevel | null;
  /** Signed with the certificate given as `instanceCertificate`. */
  byThisInstance: boolean;
}

export interface VerifyOptions {
  /** This instance's sealing certificate, for `byThisInstance`. */
  instanceCertificate?: X509Certificate;
  trustAnchors?: X509Certificate[];
  /** The time trust is judged at when nothing proves the signing time (default: now). */
  now?: Date;
}

const isTimeStamper = (cert: X509Certificate | undefined) =>
  !!cert?.getExtension(ExtendedKeyUsageExtension)?.usages.includes(ExtendedKeyUsage.timeStamping);

async function timestampReport(check: TimestampCheck, ctx: TrustContext, now: Date): Promise<{ report: TimestampReport; assessment?: CertificateAssessment }> {
  const intact = check.intact && check.imprintMatches;
  const assessment = check.signer ? await assessCertificate(check.signer, check.certificates, ctx, check.time ?? now) : undefined;
  return {
    report: {
      time: check.time?.toISOString() ?? null,
      intact,
      trusted: intact && !!assessment?.trusted && isTimeStamper(check.signer) && assessment.revocation !== "revoked",
      authority: check.signer?.subject ?? "",
    },
    assessment,
  };
}

const unreadable = (pdf: Uint8Array, sig: EmbeddedSignature): SignatureReport => ({
  fieldName: sig.fieldName,
  kind: sig.type === "DocTimeStamp" ? "document-timestamp" : "signature",
  subFilter: sig.subFilter,
  signerSubject: "",
  issuer: "",
  signingTime: sig.claimedTime,
  timestampTime: null,
  intact: false,
  coversWholeDocument: sig.ranges[0] === 0 && sig.signedEnd === pdf.length,
  bytesAppendedAfter: Math.max(0, pdf.length - sig.signedEnd),
  changesAfter: changesAfter(pdf, sig.signedEnd),
  chain: [],
  trusted: false,
  revocation: "unknown",
  revocationSources: [],
  timestamp: null,
  level: null,
  byThisInstance: false,
});

/** One signature or document time-stamp, judged alone (its level needs the others: see verifyPdf). */
async function report(pdf: Uint8Array, sig: EmbeddedSignature, ctx: TrustContext, opts: VerifyOptions): Promise<SignatureReport & { ltComplete: boolean }> {
  const base = unreadable(pdf, sig);
  const now = opts.now ?? new Date();
  if (!sig.contents) return { ...base, ltComplete: false };
  const cms = sig.contents;
  const rangesDigest = (h: Parameters<typeof hashRanges>[0]) => hashRanges(h, pdf, sig.ranges);
  try {
    if (base.kind === "document-timestamp" || sig.subFilter === "ETSI.RFC3161") {
      const check = await checkTimestampToken(cms, rangesDigest);
      const { report: ts, assessment } = await timestampReport(check, ctx, now);
      return {
        ...base,
        kind: "document-timestamp",
        signerSubject: check.signer?.subject ?? "",
        issuer: check.signer?.issuer ?? "",
        timestampTime: ts.time,
        intact: ts.intact,
        chain: assessment?.chain ?? [],
        trusted: ts.trusted,
        revocation: assessment?.revocation ?? "unknown",
        revocationSources: assessment?.revocationSources ?? [],
        timestamp: ts,
        ltComplete: false,
      };
    }
    const check = await checkSignedData(cms, rangesDigest);
    // adbe.pkcs7.sha1 encapsulates the SHA-1 of the ranges: it must vouch for the PDF bytes.
    const contentMatches = !check.encapsulated || sameBytes(check.encapsulated, rangesDigest("SHA-1"));
    let ts: Awaited<ReturnType<typeof timestampReport>> | undefined;
    if (check.signatureTimestamp && check.signatureValue) {
      const value = check.signatureValue;
      ts = await timestampReport(await checkTimestampToken(check.signatureTimestamp, (h) => digestOf(h, value)), ctx, now);
    }
    // The signing time is proven by a trusted signature time-stamp; otherwise trust is judged now.
    const at = ts?.report.trusted && ts.report.time ? new Date(ts.report.time) : now;
    const assessment = check.signer ? await assessCertificate(check.signer, check.certificates, ctx, at) : undefined;
    const intact = check.intact && contentMatches;
    const hasDss = ctx.material.certs.length + ctx.material.ocsps.length + ctx.material.crls.length > 0;
    const settled = (v: RevocationVerdict | undefined) => v === "good" || v === "not-applicable";
    return {
      ...base,
      signerSubject: check.signer?.subject ?? "",
      issuer: check.signer?.issuer ?? "",
      signingTime: base.signingTime ?? check.signingTime?.toISOString() ?? null,
      timestampTime: ts?.report.time ?? null,
      intact,
      chain: assessment?.chain ?? [],
      trusted: intact && !!assessment?.trusted && assessment.revocation !== "revoked",
      revocation: assessment?.revocation ?? "unknown",
      revocationSources: assessment?.revocationSources ?? [],
      timestamp: ts?.report ?? null,
      level: intact && sig.subFilter === "ETSI.CAdES.detached" ? (ts?.report.intact ? "B-T" : "B-B") : null,
      byThisInstance: !!check.signer && !!opts.instanceCertificate && sameBytes(check.signer.rawData, opts.instanceCertificate.rawData),
      ltComplete: hasDss && settled(assessment?.revocation) && (!ts || settled(ts.assessment?.revocation)),
    };
  } catch {
    return { ...base, ltComplete: false }; // an unreadable CMS is simply not intact
  }
}

/** Reports every signature and document time-stamp of `pdf`, in the order they were added. */
export async function verifyPdf(pdf: Uint8Array, opts: VerifyOptions = {}): Promise<{ signatures: SignatureReport[] }> {
  const { catalog, resolve } = await openForReading(pdf);
  const material = readDss(catalog, resolve);
  const dssCertificates = material.certs.flatMap((der) => {
    try {
      return [new X509Certificate(der as Uint8Array<ArrayBuffer>)];
    } catch {
      return [];
    }
  });
  const ctx: TrustContext = { anchors: opts.trustAnchors ?? [], material, dssCertificates };
  const sigs = readSignatures(pdf, catalog, resolve);
  const reports = await Promise.all(sigs.map((s) => report(pdf, s, ctx, opts)));
  // A later intact document time-stamp makes a signature B-T (if it was not) and, with the DSS, B-LTA.
  return {
    signatures: reports.map(({ ltComplete, ...r }, i) => {
      if (!r.level) return r;
      const stamped = reports.slice(i + 1).some((later) => later.kind === "document-timestamp" && later.intact);
      let level: PadesLevel = stamped && r.level === "B-B" ? "B-T" : r.level;
      if (atLeast(level, "B-T") && ltComplete) level = stamped ? "B-LTA" : "B-LT";
      return { ...r, level };
    }),
  };
}
