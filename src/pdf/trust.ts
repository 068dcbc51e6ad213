// Trust in a signer's certificate: the path built up to a configured anchor,
// each certificate valid at the time that matters, and its revocation status
// at that time from the validation data the file carries (DSS, OCSP, CRL).
import type { X509Certificate } from "@peculiar/x509";
import { buildPath, isSelfIssued, mergeCertificates, sameCertificate } from "./certs.ts";
import type { ValidationMaterial } from "./dss.ts";
import { checkCrl, checkOcspResponse, type RevocationAnswer } from "./revocation.ts";

/** "not-applicable": nothing on the path can be revoked (a self-signed certificate, or an anchor itself). */
export type RevocationVerdict = "good" | "revoked" | "unknown" | "not-applicable";

export interface CertificateAssessment {
  /** Subjects, the certificate first, up to the anchor or as far as the path goes. */
  chain: string[];
  /** The path ends in a trust anchor and every certificate on it was valid at `at`. */
  trusted: boolean;
  /** Worst status over the path's certificates (anchors excluded), at `at`. */
  revocation: RevocationVerdict;
  /** Where the revocation answers came from. */
  revocationSources: ("ocsp" | "crl")[];
}

export interface TrustContext {
  anchors: X509Certificate[];
  /** The document's DSS, parsed. */
  material: ValidationMaterial;
  /** Certificates of the DSS, parsed once. */
  dssCertificates: X509Certificate[];
}

async function statusOf(cert: X509Certificate, issuer: X509Certificate, material: ValidationMaterial, at: Date): Promise<{ verdict: RevocationVerdict; source?: "ocsp" | "crl" }> {
  const answers: RevocationAnswer[] = [];
  for (const der of material.ocsps) {
    const a = await checkOcspResponse(der, cert, issuer);
    if (a) answers.push(a);
  }
  for (const der of material.crls) {
    const a = await checkCrl(der, cert, issuer);
    if (a) answers.push(a);
  }
  const revoked = answers.find((a) => a.status === "revoked" && (!a.revokedAt || a.revokedAt <= at));
  if (revoked) return { verdict: "revoked", source: revoked.source };
  const good = answers.find((a) => a.status === "good" || (a.status === "revoked" && a.revokedAt && a.revokedAt > at));
  return good ? { verdict: "good", source: good.source } : { verdict: "unknown" };
}

const rank: Record<RevocationVerdict, number> = { "not-applicable": 0, good: 1, unknown: 2, revoked: 3 };

/** Path, trust and revocation of `cert` at `at`, with `pool` (certificates the CMS carries) to build the path through. */
export async function assessCertificate(cert: X509Certificate, pool: X509Certificate[], ctx: TrustContext, at: Date): Promise<CertificateAssessment> {
  const path = await buildPath(cert, mergeCertificates(pool, ctx.dssCertificates), ctx.anchors);
  const certs = path.certificates;
  const validAt = certs.every((c) => c.notBefore <= at && at <= c.notAfter);
  let revocation: RevocationVerdict = "not-applicable";
  const sources = new Set<"ocsp" | "crl">();
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i]!;
    if (isSelfIssued(c) || ctx.anchors.some((a) => sameCertificate(a, c))) continue;
    const issuer = certs[i + 1];
    const { verdict, source } = issuer ? await statusOf(c, issuer, ctx.material, at) : { verdict: "unknown" as const, source: undefined };
    if (source) sources.add(source);
    if (rank[verdict] > rank[revocation]) revocation = verdict;
  }
  return { chain: certs.map((c) => c.subject), trusted: path.anchored && validAt, revocation, revocationSources: [...sources] };
}
