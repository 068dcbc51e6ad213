import type { SigningComplete, SigningSession } from "../generated.js";
import type { RequestOptions, Transport } from "../transport.js";

/** A recipient's signing token, from the token itself or from the whole `signUrl`. */
export const signingToken = (tokenOrSignUrl: string) => (tokenOrSignUrl.includes("/") ? new URL(tokenOrSignUrl).pathname.split("/").filter(Boolean).pop()! : tokenOrSignUrl);

/**
 * The signing ceremony without a browser, authorised by the recipient's token (no API key
 * is sent): for embedded signing in your own page, and for tests of an integration.
 */
export class Signing {
  constructor(private readonly http: Transport) {}

  /** Opens the session (records that the recipient viewed the envelope). */
  get(tokenOrSignUrl: string, options?: RequestOptions): Promise<SigningSession> {
    return this.http.json("GET /api/v1/signing/{token}", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) } });
  }

  /** One of the envelope's PDFs as the recipient sees it. */
  document(tokenOrSignUrl: string, documentId: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.http.bytes("GET /api/v1/signing/{token}/documents/{documentId}", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl), documentId } });
  }

  /** Signs (or approves): `{ signature: { type: "typed", value: "Ana Silva" }, consent: true }`. */
  complete(tokenOrSignUrl: string, body: SigningComplete, options?: RequestOptions): Promise<SigningSession> {
    return this.http.json("POST /api/v1/signing/{token}/complete", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) }, body });
  }

  decline(tokenOrSignUrl: string, reason: string, options?: RequestOptions): Promise<SigningSession> {
    return this.http.json("POST /api/v1/signing/{token}/decline", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) }, body: { reason } });
  }

  /** The sealed PDF, once the envelope is completed. */
  signedDocument(tokenOrSignUrl: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.http.bytes("GET /api/v1/signing/{token}/signed-document", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) } });
  }
}
