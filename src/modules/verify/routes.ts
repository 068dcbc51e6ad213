import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { auth } from "../../http/auth";
import { AUTH_ERRORS, problemResponses } from "../../http/schemas";
import { assertValid } from "../../http/validate";
import { VerificationSchema, VerifyBody } from "./model";
import { verifyService } from "../sealing/lazy";

/** Checking any PDF's signatures: the report is judged against this instance's certificate. */
export const verifyRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/verify", detail: { tags: ["Verification"] } })
    .use(auth)
    .post("", async ({ body }) => {
      assertValid(VerifyBody, body);
      const file = (body as { file: File }).file;
      if (file.size > deps.config.maxUploadMb * 1024 * 1024)
        throw new AppError("payload_too_large", `The file is larger than the limit of ${deps.config.maxUploadMb} MiB`);
      return (await verifyService()).verifyDocument(deps, new Uint8Array(await file.arrayBuffer()));
    }, {
      auth: "envelopes",
      response: { 200: VerificationSchema, ...problemResponses(...AUTH_ERRORS, 413, 415, 422) },
      detail: {
        operationId: "verifyPdf",
        summary: "Verify the signatures of a PDF",
        description: "For each signature: signer and issuer, signing and time-stamp times, whether the signed bytes are intact, whether it covers the whole document or how many bytes were appended after it, and whether this instance's certificate made it.",
        requestBody: { required: true, content: { "multipart/form-data": { schema: VerifyBody as any } } },
      },
    });
