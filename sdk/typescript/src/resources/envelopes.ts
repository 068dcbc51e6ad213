import { CertyneoError } from "../errors.js";
import type { Envelope, EnvelopeUpdate, Operations, PurgedEnvelope, RecipientCorrection } from "../generated.js";
import { paginate } from "../pagination.js";
import { sleep } from "../runtime.js";
import type { RequestOptions, Transport } from "../transport.js";

export type EnvelopeListQuery = Operations["GET /api/v1/envelopes"]["query"];
/** An envelope's documents and recipients, or a template's `templateId` with a person per role. */
export type EnvelopeCreateBody = Operations["POST /api/v1/envelopes"]["body"];

export interface WaitOptions {
  /** Give up after this long (default 10 minutes); the promise then rejects with code "timeout". */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const ENDED = new Set<Envelope["status"]>(["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"]);

/** Whether nothing more will happen to the envelope: it ended, and a completed one is sealed (or failed to be). */
export const isSettled = (e: Envelope) => ENDED.has(e.status) && !(e.status === "COMPLETED" && e.sealStatus === "PENDING");

/** Documents sent for signature. */
export class Envelopes {
  constructor(private readonly http: Transport) {}

  /** Creates a DRAFT, from documents or from a template (`templateId`). */
  create(body: EnvelopeCreateBody, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("POST /api/v1/envelopes", { ...options, body });
  }

  get(id: string, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("GET /api/v1/envelopes/{id}", { ...options, path: { id } });
  }

  /** Changes a DRAFT: only the members given change. */
  update(id: string, body: EnvelopeUpdate, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("PATCH /api/v1/envelopes/{id}", { ...options, path: { id }, body });
  }

  /** Sends the invitations; the answer carries each recipient's `signUrl`. */
  send(id: string, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("POST /api/v1/envelopes/{id}/send", { ...options, path: { id } });
  }

  /** Voids a sent envelope: its links stop working and the recipients are told, with the reason. */
  void(id: string, reason?: string, options?: RequestOptions): Promise<Envelope> {
    // Without `purge` the answer is always the envelope, never a tombstone.
    return this.http.json("DELETE /api/v1/envelopes/{id}", { ...options, path: { id }, query: { reason } }) as Promise<Envelope>;
  }

  /** Deletes a DRAFT (the answer has `deleted: true`); on a sent envelope this voids it. */
  delete(id: string, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("DELETE /api/v1/envelopes/{id}", { ...options, path: { id } }) as Promise<Envelope>;
  }

  /** Reminds a recipient who still has to act, now (their `delivery` starts afresh). */
  remind(id: string, recipientId: string, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("POST /api/v1/envelopes/{id}/recipients/{recipientId}/remind", { ...options, path: { id, recipientId } });
  }

  /** Corrects a recipient of a SENT envelope (name, e-mail, phone): they get a new signing link and, if already invited, the invitation again. */
  correctRecipient(id: string, recipientId: string, body: RecipientCorrection, options?: RequestOptions): Promise<Envelope> {
    return this.http.json("PATCH /api/v1/envelopes/{id}/recipients/{recipientId}", { ...options, path: { id, recipientId }, body });
  }

  /** Erases an ended envelope (GDPR erasure): the answer is its tombstone; it answers 410 from then on. */
  purge(id: string, options?: RequestOptions): Promise<PurgedEnvelope> {
    return this.http.json("DELETE /api/v1/envelopes/{id}", { ...options, path: { id }, query: { purge: true } }) as Promise<PurgedEnvelope>;
  }

  /** Every envelope (optionally of one status), newest first, page after page as the loop asks for more. */
  list(query: EnvelopeListQuery = {}, options?: RequestOptions): AsyncGenerator<Envelope, void, undefined> {
    return paginate((startingAfter) => this.http.json("GET /api/v1/envelopes", { ...options, query: { ...query, startingAfter } }), query.startingAfter);
  }

  /** The sealed PDF of a COMPLETED envelope (all documents), or of one of its documents. */
  signedDocument(id: string, options: { documentId?: string } & RequestOptions = {}): Promise<Uint8Array> {
    const { documentId, ...request } = options;
    return this.http.bytes("GET /api/v1/envelopes/{id}/signed-document", { ...request, path: { id }, query: { documentId } });
  }

  /** The sealed audit-trail PDF. */
  auditTrail(id: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.http.bytes("GET /api/v1/envelopes/{id}/audit-trail", { ...options, path: { id } });
  }

  /**
   * Polls the envelope, waiting longer between polls (1 s growing to 15 s), until it has
   * ended: COMPLETED and sealed (then `signedDocument` is ready), or DECLINED, VOIDED or
   * EXPIRED. Resolves with the envelope; check its `status`.
   */
  async waitForCompletion(id: string, options: WaitOptions = {}): Promise<Envelope> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (let delay = 1000; ; delay = Math.min(15_000, delay * 1.5)) {
      const envelope = await this.get(id, { signal: options.signal });
      if (isSettled(envelope)) return envelope;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new CertyneoError({ status: 0, code: "timeout", message: `Envelope ${id} is still ${envelope.status}${envelope.sealStatus ? ` (seal ${envelope.sealStatus})` : ""} after ${options.timeoutMs ?? 600_000} ms` });
      await sleep(Math.min(delay, left), options.signal);
    }
  }
}
