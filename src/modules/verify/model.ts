import { t } from "elysia";
import { AnswerInteger, nullable } from "../../http/schemas";
import { CHANGE_KINDS } from "../../enums";
import { PADES_LEVELS } from "../../pdf/levels";

export const VerifyBody = t.Object({ file: t.File({ description: "The PDF to check" }) }, { title: "VerifyUpload" });

export const TimestampReportSchema = t.Object({
  time: nullable(t.String({ description: "genTime of the RFC 3161 token (ISO 8601)" })),
  intact: t.Boolean({ description: "The token's signature verifies and it stamps what it should" }),
  trusted: t.Boolean({ description: "The authority's certificate is for time-stamping and chains to a trust anchor" }),
  authority: t.String({ description: "Subject of the time-stamp authority's certificate" }),
}, { title: "TimestampReport" });

export const SignatureReportSchema = t.Object({
  fieldName: nullable(t.String()),
  kind: t.UnionEnum(["signature", "document-timestamp"], { description: "A signature, or a document time-stamp (PAdES B-LTA archive time-stamp)" }),
  subFilter: t.String({ examples: ["ETSI.CAdES.detached"] }),
  signerSubject: t.String(),
  issuer: t.String(),
  signingTime: nullable(t.String({ description: "Claimed signing time (/M or the signed attribute): not proven" })),
  timestampTime: nullable(t.String({ description: "Time in the RFC 3161 signature time-stamp, if any (or of the document time-stamp itself)" })),
  intact: t.Boolean({ description: "The signed bytes are unchanged and the CMS signature verifies" }),
  coversWholeDocument: t.Boolean(),
  bytesAppendedAfter: AnswerInteger({ description: "Bytes added after the signed revision (0 when it covers the whole document)" }),
  changesAfter: t.Object({
    kinds: t.Array(t.UnionEnum(CHANGE_KINDS), { description: "What later revisions changed: validation data (dss), document time-stamps, signatures, form filling, annotations, or other changes (content)" }),
    allowed: t.Boolean({ description: "Every later change is one the document's permissions (DocMDP) allow; DSS and document time-stamps always are" }),
  }),
  chain: t.Array(t.String(), { description: "Certificate path: the signer's subject first, up to the trust anchor or as far as it could be built" }),
  trusted: t.Boolean({ description: "Intact, the path ends in a configured trust anchor (verify.trustAnchors), every certificate valid at the signing time, not revoked" }),
  revocation: t.UnionEnum(["good", "revoked", "unknown", "not-applicable"], { description: "Revocation status at the signing time from the validation data in the file (DSS OCSP/CRL); not-applicable for a self-signed certificate" }),
  revocationSources: t.Array(t.UnionEnum(["ocsp", "crl"])),
  timestamp: nullable(TimestampReportSchema),
  level: nullable(t.UnionEnum(PADES_LEVELS, { description: "PAdES baseline level reached (ETSI.CAdES.detached signatures)" })),
  byThisInstance: t.Boolean({ description: "Made with this instance's sealing certificate" }),
}, { title: "SignatureReport" });

export const VerificationSchema = t.Object({
  valid: t.Boolean({ description: "At least one signature, all intact, the last one covering the whole document (or followed by validation data only, a DSS update)" }),
  trusted: t.Boolean({ description: "Valid, and every signature and time-stamp trusted (chains to a configured anchor, not revoked)" }),
  signatures: t.Array(SignatureReportSchema),
}, { $id: "#/components/schemas/Verification", title: "Verification" });
