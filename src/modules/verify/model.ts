import { t } from "elysia";
import { nullable } from "../../http/schemas";

export const VerifyBody = t.Object({ file: t.File({ description: "The PDF to check" }) }, { title: "VerifyUpload" });

export const SignatureReportSchema = t.Object({
  fieldName: nullable(t.String()),
  subFilter: t.String({ examples: ["ETSI.CAdES.detached"] }),
  signerSubject: t.String(),
  issuer: t.String(),
  signingTime: nullable(t.String({ description: "Claimed signing time (/M or the signed attribute)" })),
  timestampTime: nullable(t.String({ description: "Time in the RFC 3161 signature time-stamp, if any" })),
  intact: t.Boolean({ description: "The signed bytes are unchanged and the CMS signature verifies" }),
  coversWholeDocument: t.Boolean(),
  bytesAppendedAfter: t.Integer({ description: "Bytes added after the signed revision (0 when it covers the whole document)" }),
  byThisInstance: t.Boolean({ description: "Made with this instance's sealing certificate" }),
}, { title: "SignatureReport" });

export const VerificationSchema = t.Object({
  valid: t.Boolean({ description: "At least one signature, all intact, the last one covering the whole document" }),
  signatures: t.Array(SignatureReportSchema),
}, { $id: "#/components/schemas/Verification", title: "Verification" });
