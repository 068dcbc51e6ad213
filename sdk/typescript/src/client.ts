import { pdfForm, type FileSource } from "./files.js";
import type { Operations, Verification } from "./generated.js";
import { Batches } from "./resources/batches.js";
import { Documents } from "./resources/documents.js";
import { Envelopes } from "./resources/envelopes.js";
import { Keys } from "./resources/keys.js";
import { Signing } from "./resources/signing.js";
import { Templates } from "./resources/templates.js";
import { Webhooks } from "./resources/webhooks.js";
import { Transport, type ClientOptions, type RequestOptions } from "./transport.js";

/**
 * A client of one Certyneo server with one API key:
 * `new Certyneo({ apiKey: "sk_test_…", baseUrl: "https://sign.example.com" })`.
 */
export class Certyneo {
  readonly documents: Documents;
  readonly envelopes: Envelopes;
  readonly templates: Templates;
  readonly batches: Batches;
  readonly webhooks: Webhooks;
  readonly keys: Keys;
  readonly signing: Signing;
  private readonly http: Transport;

  constructor(options: ClientOptions = {}) {
    this.http = new Transport(options);
    this.documents = new Documents(this.http);
    this.envelopes = new Envelopes(this.http);
    this.templates = new Templates(this.http);
    this.batches = new Batches(this.http);
    this.webhooks = new Webhooks(this.http);
    this.keys = new Keys(this.http);
    this.signing = new Signing(this.http);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Checks the signatures of a PDF (any PDF, not only this server's). */
  async verify(source: FileSource, options?: RequestOptions): Promise<Verification> {
    const { form } = await pdfForm(source);
    return this.http.json("POST /api/v1/verify", { ...options, body: form });
  }

  /** The server's liveness and version (no key needed). */
  health(options?: RequestOptions): Promise<Operations["GET /healthz"]["response"]> {
    return this.http.json("GET /healthz", { ...options, anonymous: true });
  }
}
