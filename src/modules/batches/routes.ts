import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { invalid } from "../../errors";
import { auth } from "../../http/auth";
import { AUTH_ERRORS, IdParams, problemResponses } from "../../http/schemas";
import { assertValid } from "../../http/validate";
import { getTemplate } from "../templates/get-template";
import { createBatch } from "./create-batch";
import { csvRows, csvText } from "./csv-rows";
import { getBatch } from "./get-batch";
import { BatchSchema, BulkSendBody, BulkSendEnvelope, BulkSendMultipart, MAX_BATCH_ROWS } from "./model";

/** The rows of a bulk send: a JSON body, or a CSV file in a multipart body. */
async function bulkRows(body: unknown, contentType: string): Promise<unknown[]> {
  if (contentType.startsWith("multipart/form-data")) {
    assertValid(BulkSendMultipart, body);
    const rows = csvRows(csvText(new Uint8Array(await (body as { file: File }).file.arrayBuffer())));
    if (!rows.length || rows.length > MAX_BATCH_ROWS)
      throw invalid([{ pointer: "/file", message: `the CSV has ${rows.length} rows: 1 to ${MAX_BATCH_ROWS} per bulk send` }], "Invalid CSV");
    return rows;
  }
  assertValid(BulkSendEnvelope, body);
  return (body as { rows: unknown[] }).rows;
}

export const batchRoutes = (deps: Deps) =>
  new Elysia({ detail: { tags: ["Templates"] } })
    .use(auth)
    .post("/api/v1/templates/:id/bulk-send", async ({ principal, params, request, body, set }) => {
      // An unknown template is a 404 before the rows are read (and before their 422s).
      await getTemplate(deps, principal.environment, params.id);
      const rows = await bulkRows(body, request.headers.get("content-type") ?? "");
      const batch = await createBatch(deps, { environment: principal.environment, keyId: principal.keyId, templateId: params.id, rows });
      set.status = 202;
      set.headers.location = `/api/v1/batches/${batch.id}`;
      return batch;
    }, {
      auth: "envelopes",
      params: IdParams,
      response: { 202: BatchSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 413, 415, 422) },
      detail: {
        operationId: "bulkSend",
        summary: "Send a template to many people: one envelope per row",
        description: `Up to ${MAX_BATCH_ROWS} rows, as JSON \`{ rows: [{ recipients, prefill?, metadata? }] }\` or a CSV file (multipart \`file\`; ` +
          "columns `Role.email`, `Role.name`, `Role.phone`, any other column a prefill value by field label). Answers 202 with the batch; " +
          "the outbox creates and sends the envelopes row by row (GET /api/v1/batches/{id} shows the progress). A row that is not valid fails alone, " +
          "with its problems. Send an `Idempotency-Key`: a retry answers the same batch instead of sending twice.",
        requestBody: {
          required: true,
          content: { "application/json": { schema: BulkSendBody as any }, "multipart/form-data": { schema: BulkSendMultipart as any } },
        },
      },
    })
    .get("/api/v1/batches/:id", ({ principal, params }) => getBatch(deps, principal.environment, params.id), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: BatchSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "getBatch", tags: ["Templates"], summary: "A bulk send's progress: counts, each row's envelope or problems" },
    });
