import { pdfForm, type FileSource } from "../files.js";
import type { Document, Operations } from "../generated.js";
import { paginate } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

export type DocumentListQuery = Operations["GET /api/v1/documents"]["query"];

/** PDFs uploaded to be sent in envelopes. */
export class Documents {
  constructor(private readonly http: Transport) {}

  /** Uploads a PDF. `name` defaults to the File's or the path's name. */
  async upload(source: FileSource, options: { name?: string } & RequestOptions = {}): Promise<Document> {
    const { name, ...request } = options;
    const { form, fileName } = await pdfForm(source, name);
    form.append("name", fileName);
    return this.http.json("POST /api/v1/documents", { ...request, body: form });
  }

  get(id: string, options?: RequestOptions): Promise<Document> {
    return this.http.json("GET /api/v1/documents/{id}", { ...options, path: { id } });
  }

  /** The uploaded PDF's original bytes. */
  content(id: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.http.bytes("GET /api/v1/documents/{id}/content", { ...options, path: { id } });
  }

  /** Every document, newest first, page after page as the loop asks for more. */
  list(query: DocumentListQuery = {}, options?: RequestOptions): AsyncGenerator<Document, void, undefined> {
    return paginate((startingAfter) => this.http.json("GET /api/v1/documents", { ...options, query: { ...query, startingAfter } }), query.startingAfter);
  }

  /** Deletes a document; refused (409 document_in_use) while a draft or sent envelope uses it. */
  delete(id: string, options?: RequestOptions): Promise<Document> {
    return this.http.json("DELETE /api/v1/documents/{id}", { ...options, path: { id } });
  }
}
