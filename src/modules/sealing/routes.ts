import { Elysia, t } from "elysia";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { principalOf } from "../../http/principal";
import { AUTH_ERRORS, contentDisposition, IdParams, pdfResponses, problemResponses } from "../../http/schemas";
import { assertValid } from "../../http/validate";
import { VerifyBody, VerificationSchema } from "./model";
import { auditTrail, signedDocument, type PdfDownload } from "./service";
import { verifyDocument } from "./verify";

export const pdfResponse = ({ bytes, filename }: PdfDownload) =>
  new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": contentDisposition(filename),
      "cache-control": "private, no-store",
    },
  });

const AUTH_PROBLEMS = { 401: "Missing, unknown or revoked API key", 429: "Rate limit exceeded" };

export const sealingRoutes = (deps: Deps) =>
  new Elysia()
    .get("/api/v1/envelopes/:id/signed-document", async ({ request, params, query }) =>
      pdfResponse(await signedDocument(deps, principalOf(request).environment, params.id, query.documentId, { sealIfPending: true })), {
      params: IdParams,
      query: t.Object({ documentId: t.Optional(t.String({ description: "One document of the envelope, sealed alone" })) }, { additionalProperties: false }),
      detail: {
        tags: ["Envelopes"],
        summary: "Download the sealed PDF of a COMPLETED envelope",
        description: "All documents in order with the signature appearances and the certificate of completion, sealed with a PAdES signature (ETSI.CAdES.detached) by the organisation's certificate. `?documentId=` returns one document alone, sealed too. 409 `envelope_not_completed` before completion.",
        responses: pdfResponses("The sealed PDF", { ...AUTH_PROBLEMS, 404: "No such envelope or document", 409: "Not COMPLETED yet (`envelope_not_completed`)", 503: "Sealing failed (`seal_failed`): the audit trail and the server log say why" }) as any,
      },
    })
    .get("/api/v1/envelopes/:id/audit-trail", async ({ request, params }) =>
      pdfResponse(await auditTrail(deps, principalOf(request).environment, params.id)), {
      params: IdParams,
      detail: {
        tags: ["Envelopes"],
        summary: "Download the sealed audit-trail PDF",
        description: "Every audit event so far (UTC time, event, actor, IP, user agent, document hashes) with the hash chain and its head, sealed like the signed document. 409 `envelope_not_sent` for a draft.",
        responses: pdfResponses("The sealed audit trail", { ...AUTH_PROBLEMS, 404: "No such envelope", 409: "A draft has no audit trail yet (`envelope_not_sent`)" }) as any,
      },
    })
    .post("/api/v1/verify", async ({ body }) => {
      assertValid(VerifyBody, body);
      const file = (body as { file: File }).file;
      if (file.size > deps.config.maxUploadMb * 1024 * 1024)
        throw new AppError("payload_too_large", `The file is larger than the limit of ${deps.config.maxUploadMb} MiB`);
      return verifyDocument(deps, new Uint8Array(await file.arrayBuffer()));
    }, {
      response: { 200: VerificationSchema, ...problemResponses(...AUTH_ERRORS, 413, 415, 422) },
      detail: {
        tags: ["Verification"],
        summary: "Verify the signatures of a PDF",
        description: "For each signature: signer and issuer, signing and time-stamp times, whether the signed bytes are intact, whether it covers the whole document or how many bytes were appended after it, and whether this instance's certificate made it.",
        requestBody: { required: true, content: { "multipart/form-data": { schema: VerifyBody as any } } },
      },
    });
