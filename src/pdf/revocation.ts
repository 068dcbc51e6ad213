// Revocation data read and checked: OCSP responses (RFC 6960) and CRLs (RFC 5280),
// each about one certificate and signed by its issuer (or the issuer's delegated
// OCSP responder). Fetching them is revocation-fetch.ts's job.
import "reflect-metadata";
import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
} from "@peculiar/asn1-ocsp";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Certificate, CertificateList } from "@peculiar/asn1-x509";
import { ExtendedKeyUsageExtension, X509Certificate } from "@peculiar/x509";
import { digestAlgorithm, digestOf, digestOfOid, signatureVerifies, type DigestName } from "./algorithms.ts";
import { sameBytes } from "./bytes.ts";
import { issuedBy } from "./certs.ts";

export type RevocationStatus = "good" | "revoked" | "unknown";

export interface RevocationAnswer {
  source: "ocsp" | "crl";
  status: RevocationStatus;
  revokedAt?: Date;
  /** When the answer was made (OCSP producedAt, CRL thisUpdate). */
  producedAt: Date;
  thisUpdate: Date;
  /** Until when the answer may be relied on (and cached); none: only at thisUpdate. */
  nextUpdate?: Date;
  /** A delegated OCSP responder's certificate (not the issuer), to embed beside the response. */
  responder?: X509Certificate;
}

const serialOf = (cert: X509Certificate) => AsnConvert.parse(cert.rawData, Certificate).tbsCertificate.serialNumber;
/** INTEGER values compared as numbers: leading zero bytes do not count. */
const sameSerial = (a: ArrayBuffer, b: ArrayBuffer) =>
  BigInt(`0x0${Buffer.from(a).toString("hex")}`) === BigInt(`0x0${Buffer.from(b).toString("hex")}`);

/** The issuer's public key bits (what OCSP hashes as the issuer key). */
const issuerKeyBits = (issuer: X509Certificate) =>
  new Uint8Array(AsnConvert.parse(issuer.rawData, Certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);

function certId(cert: X509Certificate, issuer: X509Certificate, hash: DigestName): CertID {
  return new CertID({
    hashAlgorithm: digestAlgorithm(hash),
    issuerNameHash: new OctetString(digestOf(hash, new Uint8Array(issuer.subjectName.toArrayBuffer()))),
    issuerKeyHash: new OctetString(digestOf(hash, issuerKeyBits(issuer))),
    serialNumber: serialOf(cert),
  });
}

/** A DER OCSP request for one certificate (SHA-1 CertID, which every responder understands; no nonce, so answers can be cached). */
export function ocspRequest(cert: X509Certificate, issuer: X509Certificate): Uint8Array {
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId(cert, issuer, "SHA-1") })] }) });
  return new Uint8Array(AsnConvert.serialize(request));
}

/** Who signed the OCSP response: the issuer itself, or a certificate it delegated OCSP signing to. */
async function ocspResponder(basic: BasicOCSPResponse, issuer: X509Certificate): Promise<X509Certificate | undefined> {
  const { byName, byKey } = basic.tbsResponseData.responderID;
  const names = (c: X509Certificate) =>
    byName ? sameBytes(AsnConvert.serialize(byName), c.subjectName.toArrayBuffer()) : !!byKey && sameBytes(byKey.buffer, digestOf("SHA-1", issuerKeyBits(c)));
  if (names(issuer)) return issuer;
  for (const asn of basic.certs ?? []) {
    const candidate = new X509Certificate(AsnConvert.serialize(asn));
    const eku = candidate.getExtension(ExtendedKeyUsageExtension);
    if (names(candidate) && eku?.usages.includes(id_kp_OCSPSigning) && (await issuedBy(candidate, issuer))) return candidate;
  }
  return undefined;
}

/** The OCSP response's answer about `cert`, or undefined when it is not a signed, successful answer about it. */
export async function checkOcspResponse(der: Uint8Array, cert: X509Certificate, issuer: X509Certificate): Promise<RevocationAnswer | undefined> {
  try {
    const response = AsnConvert.parse(der, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful || response.responseBytes?.responseType !== id_pkix_ocsp_basic) return undefined;
    const basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
    const serial = serialOf(cert);
    const single = basic.tbsResponseData.responses.find((r) => {
      const hash = digestOfOid(r.certID.hashAlgorithm.algorithm);
      return !!hash && sameSerial(r.certID.serialNumber, serial) && sameBytes(r.certID.issuerKeyHash.buffer, digestOf(hash, issuerKeyBits(issuer)));
    });
    if (!single || !basic.tbsResponseDataRaw) return undefined;
    const responder = await ocspResponder(basic, issuer);
    if (!responder) return undefined;
    if (!(await signatureVerifies(responder, basic.signatureAlgorithm, new Uint8Array(basic.signature), new Uint8Array(basic.tbsResponseDataRaw)))) return undefined;
    const { certStatus } = single;
    return {
      source: "ocsp",
      status: certStatus.revoked ? "revoked" : certStatus.unknown !== undefined ? "unknown" : "good",
      revokedAt: certStatus.revoked?.revocationTime,
      producedAt: basic.tbsResponseData.producedAt,
      thisUpdate: single.thisUpdate,
      nextUpdate: single.nextUpdate,
      responder: responder === issuer ? undefined : responder,
    };
  } catch {
    return undefined;
  }
}

/** The CRL's answer about `cert`, or undefined when it is not a CRL of `issuer` with a valid signature. */
export async function checkCrl(der: Uint8Array, cert: X509Certificate, issuer: X509Certificate): Promise<RevocationAnswer | undefined> {
  try {
    const crl = AsnConvert.parse(der, CertificateList);
    if (!crl.tbsCertListRaw || !sameBytes(AsnConvert.serialize(crl.tbsCertList.issuer), issuer.subjectName.toArrayBuffer())) return undefined;
    if (!(await signatureVerifies(issuer, crl.signatureAlgorithm, new Uint8Array(crl.signature), new Uint8Array(crl.tbsCertListRaw)))) return undefined;
    const serial = serialOf(cert);
    const entry = crl.tbsCertList.revokedCertificates?.find((e) => sameSerial(e.userCertificate, serial));
    const time = (t: { getTime(): Date } | undefined) => t?.getTime();
    const thisUpdate = time(crl.tbsCertList.thisUpdate)!;
    return {
      source: "crl",
      status: entry ? "revoked" : "good",
      revokedAt: time(entry?.revocationDate),
      producedAt: thisUpdate,
      thisUpdate,
      nextUpdate: time(crl.tbsCertList.nextUpdate),
    };
  } catch {
    return undefined;
  }
}
