import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { auth } from "../../http/auth";
import { jsonResponse } from "../../http/json-response";
import { assertValid } from "../../http/validate";
import { pdfResponse } from "../../http/pdf-response";
import { AUTH_ERRORS, AUTH_PROBLEMS, IdParams, ListQuery, listOf, pdfResponses, problemResponses } from "../../http/schemas";
import { DocumentSchema, UploadJsonBody, UploadMultipartBody } from "./model";
import { deleteDocument, documentContent, getDocumentJson, listDocuments, publicDocument, uploadDocument } from "./service";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  if (clean.length % 4 === 1 || !BASE64.test(clean))
    throw new AppError("validation_failed", "contentBase64 is not valid base64", { errors: [{ pointer: "/contentBase64", message: "not valid base64" }] });
  return new Uint8Array(Buffer.from(clean, "base64"));
}

/** Two content types, two schemas: validated here so each gets its own precise errors. */
async function uploadInput(body: unknown, contentType: string): Promise<{ name: string; bytes: Uint8Array }> {
  const b = (body ?? {}) as Record<string, unknown>;
  if (contentType.startsWith("multipart/form-data")) {
    assertValid(UploadMultipartBody, b);
    const file = b.file as File;
    const name = (typeof b.name === "string" && b.name) || file.name || "document.pdf";
    return { name, bytes: new Uint8Array(await file.arrayBuffer()) };
  }
  assertValid(UploadJsonBody, body);
  return { name: b.name as string, bytes: decodeBase64(b.contentBase64 as string) };
}

export const documentRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/documents", detail: { tags: ["Documents"] } })
    .use(auth)
    .post("", async ({ principal, request, body, set }) => {
      const doc = await uploadDocument(deps, principal.environment, await uploadInput(body, request.headers.get("content-type") ?? ""));
      set.status = 201;
      set.headers.location = `/api/v1/documents/${doc.id}`;
      return publicDocument(doc);
    }, {
      auth: "envelopes",
      response: { 201: DocumentSchema, ...problemResponses(...AUTH_ERRORS, 400, 413, 415, 422) },
      detail: {
        operationId: "uploadDocument",
        summary: "Upload a PDF",
        description: "Multipart field `file`, or JSON `{ name, contentBase64 }`. The PDF must open, be unencrypted and have pages; errors `pdf_invalid`, `pdf_encrypted`, `pdf_certified_no_changes` (422), `payload_too_large` (413).",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": { schema: UploadMultipartBody as any },
            "application/json": { schema: UploadJsonBody as any },
          },
        },
      },
    })
    .get("", async ({ principal, query }) => {
      const page = await listDocuments(deps, principal.environment, query);
      return { data: page.data.map(publicDocument), hasMore: page.hasMore };
    }, {
      auth: "envelopes",
      query: ListQuery,
      response: { 200: listOf(DocumentSchema, "DocumentList"), ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { operationId: "listDocuments", summary: "List documents, newest first" },
    })
    .get("/:id", async ({ principal, params }) => jsonResponse(await getDocumentJson(deps, principal.environment, params.id)), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: DocumentSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "getDocument", summary: "Get a document's metadata" },
    })
    .get("/:id/content", async ({ principal, params }) => {
      const doc = await documentContent(deps, principal.environment, params.id);
      return pdfResponse(doc.file, doc.name);
    }, {
      auth: "envelopes",
      params: IdParams,
      detail: {
        operationId: "downloadDocument",
        summary: "Download a document's original bytes",
        description: "Exactly the uploaded PDF (its SHA-256 is the document's `sha256`), as an attachment.",
        responses: pdfResponses("The uploaded PDF", { ...AUTH_PROBLEMS, 404: "No such document in the key's environment" }, { ranges: true }) as any,
      },
    })
    .delete("/:id", async ({ principal, params }) => publicDocument(await deleteDocument(deps, principal.environment, params.id)), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: DocumentSchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: { operationId: "deleteDocument", summary: "Delete a document (refused while a draft or sent envelope uses it)" },
    });
