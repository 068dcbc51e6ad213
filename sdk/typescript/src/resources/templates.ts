import { fileForm, type FileSource } from "../files.js";
import type { Batch, BulkSend, Operations, Template, TemplateCreate, TemplateUpdate } from "../generated.js";
import { paginate } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

export type TemplateListQuery = Operations["GET /api/v1/templates"]["query"];

/** The rows of a bulk send: `{ rows: [...] }` as JSON, or `{ csv }`, a CSV file (bytes, a Blob/File or a path). */
export type BulkSendRows = BulkSend | { csv: FileSource; name?: string };

/** Envelopes to make again and again: documents, roles and fields, with people named per envelope. */
export class Templates {
  constructor(private readonly http: Transport) {}

  create(body: TemplateCreate, options?: RequestOptions): Promise<Template> {
    return this.http.json("POST /api/v1/templates", { ...options, body });
  }

  get(id: string, options?: RequestOptions): Promise<Template> {
    return this.http.json("GET /api/v1/templates/{id}", { ...options, path: { id } });
  }

  /** Only the members given change; envelopes already made from it do not. */
  update(id: string, body: TemplateUpdate, options?: RequestOptions): Promise<Template> {
    return this.http.json("PATCH /api/v1/templates/{id}", { ...options, path: { id }, body });
  }

  /** Every template, newest first, page after page as the loop asks for more. */
  list(query: TemplateListQuery = {}, options?: RequestOptions): AsyncGenerator<Template, void, undefined> {
    return paginate((startingAfter) => this.http.json("GET /api/v1/templates", { ...options, query: { ...query, startingAfter } }), query.startingAfter);
  }

  /** Deletes a template (the answer has `deleted: true`); refused (409 template_in_use) while a bulk send from it has rows to send. */
  delete(id: string, options?: RequestOptions): Promise<Template> {
    return this.http.json("DELETE /api/v1/templates/{id}", { ...options, path: { id } });
  }

  /**
   * Sends the template to many people, one envelope per row: `{ rows: [{ recipients: [...] }] }`,
   * or `{ csv: "people.csv" }`. The answer is the batch, queued; `batches.get` shows its progress.
   */
  async bulkSend(id: string, rows: BulkSendRows, options?: RequestOptions): Promise<Batch> {
    const body = "csv" in rows ? (await fileForm(rows.csv, rows.name, "text/csv", "rows.csv")).form : rows;
    return this.http.json("POST /api/v1/templates/{id}/bulk-send", { ...options, path: { id }, body });
  }
}
