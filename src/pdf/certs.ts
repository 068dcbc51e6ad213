// Certificates as validation needs them: who issued whom (signature checked),
// paths up to a trust anchor, where revocation data lives (AIA OCSP, CRL DP).
import "reflect-metadata";
import { id_pkix_ocsp_nocheck } from "@peculiar/asn1-ocsp";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  AuthorityInfoAccessExtension,
  AuthorityKeyIdentifierExtension,
  CRLDistributionPointsExtension,
  PemConverter,
  SubjectKeyIdentifierExtension,
  X509Certificate,
} from "@peculiar/x509";
import { signatureVerifies } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";

export const isSelfIssued = (cert: X509Certificate) => cert.subject === cert.issuer;

/** Same certificate, byte for byte. */
export const sameCertificate = (a: X509Certificate, b: X509Certificate) => sameBytes(a.rawData, b.rawData);

/** Adds the certificates of `more` that `pool` lacks. */
export function mergeCertificates(pool: X509Certificate[], more: Iterable<X509Certificate>): X509Certificate[] {
  const out = [...pool];
  for (const c of more) if (!out.some((o) => sameCertificate(o, c))) out.push(c);
  return out;
}

/** Every certificate of a PEM bundle (other blocks are ignored). */
export function readPemBundle(pem: string): X509Certificate[] {
  return PemConverter.decodeWithHeaders(pem).filter((b) => b.type === "CERTIFICATE").map((b) => new X509Certificate(b.rawData));
}

/** `issuer` signed `cert`: names chain, key identifiers agree when both are given, the signature verifies. */
export async function issuedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  const aki = cert.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
  const ski = issuer.getExtension(SubjectKeyIdentifierExtension)?.keyId;
  if (aki && ski && aki !== ski) return false;
  const asn = AsnConvert.parse(cert.rawData, Certificate);
  if (!asn.tbsCertificateRaw) return false;
  return signatureVerifies(issuer, asn.signatureAlgorithm, new Uint8Array(asn.signatureValue), new Uint8Array(asn.tbsCertificateRaw));
}

/** The issuer of `cert` among `pool`, its signature checked. */
export async function findIssuer(cert: X509Certificate, pool: readonly X509Certificate[]): Promise<X509Certificate | undefined> {
  for (const candidate of pool) if (!sameCertificate(candidate, cert) && (await issuedBy(cert, candidate))) return candidate;
  return undefined;
}

export interface CertificatePath {
  /** `cert` first, each next one its issuer. */
  certificates: X509Certificate[];
  /** The last certificate is one of the anchors (or is issued by one, which then ends the path). */
  anchored: boolean;
}

/** The path from `cert` up through `pool` to one of `anchors`, or as far as it goes. */
export async function buildPath(cert: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[]): Promise<CertificatePath> {
  const certificates = [cert];
  const all = mergeCertificates([...anchors], pool);
  for (let current = cert; certificates.length < 16; ) {
    if (anchors.some((a) => sameCertificate(a, current))) return { certificates, anchored: true };
    if (isSelfIssued(current)) break;
    const issuer = await findIssuer(current, all);
    if (!issuer || certificates.some((c) => sameCertificate(c, issuer))) break;
    certificates.push(issuer);
    current = issuer;
  }
  return { certificates, anchored: false };
}

const uris = (names: { type: string; value: string }[] | undefined) =>
  (names ?? []).filter((n) => n.type === "url" && /^https?:/i.test(n.value)).map((n) => n.value);

/** OCSP responder URLs from the Authority Information Access extension. */
export const ocspUrls = (cert: X509Certificate): string[] => uris(cert.getExtension(AuthorityInfoAccessExtension)?.ocsp);

/** HTTP(S) CRL distribution points. */
export function crlUrls(cert: X509Certificate): string[] {
  const ext = cert.getExtension(CRLDistributionPointsExtension);
  return (ext?.distributionPoints ?? []).flatMap((dp) =>
    (dp.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier).filter((u): u is string => !!u && /^https?:/i.test(u)),
  );
}

/** An OCSP responder certificate that needs no revocation check of its own (RFC 6960 4.2.2.2.1). */
export const hasOcspNoCheck = (cert: X509Certificate) => cert.extensions.some((e) => e.type === id_pkix_ocsp_nocheck);
