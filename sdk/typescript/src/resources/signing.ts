import type { SigningAuthCodeSent, SigningComplete, SigningReassign, SigningReassigned, SigningSession } from "../generated.js";
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

  /** With signer authentication (email_otp, sms_otp): sends the recipient a one-time code, valid 10 minutes. */
  requestCode(tokenOrSignUrl: string, options?: RequestOptions): Promise<SigningAuthCodeSent> {
    return this.http.json("POST /api/v1/signing/{token}/auth/code", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) } });
  }

  /**
   * Proves who the recipient is with the one-time code or the access code; the answer is the
   * session. The server also sets a cookie the other signing routes need (a browser keeps it).
   */
  authenticate(tokenOrSignUrl: string, code: string, options?: RequestOptions): Promise<SigningSession> {
    return this.http.json("POST /api/v1/signing/{token}/auth", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) }, body: { code } });
  }

  /** Hands this signer's turn to someone else (the envelope must have `allowReassign`); this link stops working. */
  reassign(tokenOrSignUrl: string, body: SigningReassign, options?: RequestOptions): Promise<SigningReassigned> {
    return this.http.json("POST /api/v1/signing/{token}/reassign", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl) }, body });
  }

  /** One of the envelope's PDFs as the recipient sees it. */
  document(tokenOrSignUrl: string, documentId: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.http.bytes("GET /api/v1/signing/{token}/documents/{documentId}", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl), documentId } });
  }

  /**
   * The PNG an earlier signer drew, to show it where they placed it: by that signer's recipient
   * id, or by a stamp's whole `imageUrl` from this session.
   */
  signatureImage(tokenOrSignUrl: string, recipientIdOrImageUrl: string, options?: RequestOptions): Promise<Uint8Array> {
    const recipientId = recipientIdOrImageUrl.split("/").filter(Boolean).pop()!;
    return this.http.bytes("GET /api/v1/signing/{token}/signatures/{recipientId}", { ...options, anonymous: true, path: { token: signingToken(tokenOrSignUrl), recipientId } });
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
