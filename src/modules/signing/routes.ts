import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { contextOf } from "../../http/context";
import { pdfResponse } from "../../http/pdf-response";
import { pdfResponses, problemResponses } from "../../http/schemas";
import { ReassignBody } from "../envelopes/model";
import { AuthBody, AuthCodeSent, CompleteBody, DeclineBody, DownloadQuery, ReassignedSchema, SigningSessionSchema, TokenDocumentParams, TokenParams, TokenRecipientParams } from "./model";
import { authCookie } from "./auth";
import { authenticateSigner, completeSigning, declineSigning, getSession, openDocument, openSignatureImage, openSignedDocument, reassignSigning, sendSigningCode } from "./service";

const meta = (request: Request) => {
  const ctx = contextOf(request);
  return { ip: ctx.ip, userAgent: ctx.userAgent, cookie: request.headers.get("cookie") };
};

/** The signing ceremony's JSON API, authorised by the recipient's token (no API key). */
export const signingRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/signing", detail: { tags: ["Signing"], security: [] } })
    .get("/:token", ({ request, params, set }) => {
      set.headers["cache-control"] = "no-store";
      return getSession(deps, params.token, meta(request));
    }, {
      params: TokenParams,
      response: { 200: SigningSessionSchema, ...problemResponses(404) },
      detail: {
        operationId: "getSigningSession",
        summary: "Open a signing session",
        description: "The envelope, this recipient, the state to show, the documents and this recipient's fields. " +
          "The first open by an invited recipient records VIEWED. Unknown token: 404.",
        security: [],
      },
    })
    .get("/:token/documents/:documentId", async ({ request, params }) => {
      const doc = await openDocument(deps, params.token, params.documentId, meta(request));
      return pdfResponse(doc.file, doc.name, { disposition: "inline", cacheControl: "no-store", headers: { "x-content-sha256": doc.sha256 } });
    }, {
      params: TokenDocumentParams,
      // No `response` hook: it would replace these responses, and the 200 is a PDF, not JSON.
      detail: {
        operationId: "getSigningDocument",
        summary: "Download one of the envelope's PDFs",
        description: "Served while the envelope is SENT (410 `signing_closed` after); every download is an audit event.",
        security: [],
        responses: pdfResponses("The PDF", {
          404: "Unknown token, or a document not in this envelope",
          410: "The envelope has ended (`signing_closed`)",
        }) as any,
      },
    })
    .get("/:token/signed-document", async ({ request, params, query }) => {
      const doc = await openSignedDocument(deps, params.token, meta(request));
      return pdfResponse(doc.file, doc.filename, { disposition: query.download ? "attachment" : "inline", cacheControl: "no-store" });
    }, {
      params: TokenParams,
      query: DownloadQuery,
      detail: {
        operationId: "getSigningSignedDocument",
        summary: "Download the sealed PDF of a completed envelope",
        description: "What the completed signing page and the completion e-mail's link (`?download=1`: as an attachment) lead to. " +
          "Before completion: 409 `envelope_not_completed`; while it is being sealed: 409 `seal_pending` (with Retry-After); " +
          "declined, voided or expired: 410 `signing_closed`.",
        security: [],
        responses: pdfResponses("The sealed PDF", {
          404: "Unknown token",
          409: "Not completed yet",
          410: "The envelope ended without completing",
        }) as any,
      },
    })
    .get("/:token/signatures/:recipientId", async ({ request, params }) =>
      new Response(await openSignatureImage(deps, params.token, params.recipientId, meta(request)) as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "image/png", "cache-control": "no-store" },
      }), {
      params: TokenRecipientParams,
      detail: {
        operationId: "getSigningSignatureImage",
        summary: "An earlier signer's drawn signature",
        description: "The PNG a recipient who already signed drew, as `stamps[].imageUrl` names it, so a later signer sees it on the pages. " +
          "Only while this recipient may sign (the 409 and 410 of `complete` otherwise); 404 for anyone else.",
        security: [],
        responses: {
          200: { description: "The PNG", content: { "image/png": { schema: { type: "string", format: "binary" } } } },
          404: { description: "Unknown token, or no drawn signature of that recipient" },
          409: { description: "Already signed, or not this recipient's turn" },
          410: { description: "The envelope has ended (`signing_closed`)" },
        } as any,
      },
    })
    .post("/:token/auth/code", async ({ request, params, set }) => {
      set.headers["cache-control"] = "no-store";
      return sendSigningCode(deps, params.token, meta(request));
    }, {
      params: TokenParams,
      response: { 200: AuthCodeSent, ...problemResponses(404, 409, 429, 503) },
      detail: {
        operationId: "sendSigningCode",
        summary: "Send a one-time code",
        description: "For a recipient with `authentication.method` email_otp or sms_otp: a new 6-digit code, valid 10 minutes, to the recipient's e-mail or phone. " +
          "Another may be asked for after 30 s, then 60 s, 120 s… (429 `auth_resend_too_soon` with Retry-After). No code method: 409 `auth_not_required`.",
        security: [],
      },
    })
    .post("/:token/auth", async ({ request, params, body, set }) => {
      const { cookie, session } = await authenticateSigner(deps, params.token, body.code, meta(request));
      set.headers["cache-control"] = "no-store";
      set.headers["set-cookie"] = authCookie(params.token, cookie, deps.config.baseUrl.startsWith("https:"));
      return session;
    }, {
      params: TokenParams,
      body: AuthBody,
      parse: "json",
      response: { 200: SigningSessionSchema, ...problemResponses(400, 401, 404, 409, 415, 422, 429) },
      detail: {
        operationId: "authenticateSigner",
        summary: "Prove who you are",
        description: "The one-time code (email_otp, sms_otp) or the access code (access_code). Right: the session, and a cookie (HttpOnly, this link's API only, 12 h) " +
          "that the other signing routes need; until then they answer 401 `signing_auth_required` with `authentication: {method, destination, locale}`. " +
          "Wrong or expired: 401 `auth_code_invalid`; the fifth wrong code in a row locks authentication for 15 minutes (429 `auth_locked`). Every attempt is audited.",
        security: [],
      },
    })
    .post("/:token/complete", async ({ request, params, body, set }) => {
      set.headers["cache-control"] = "no-store";
      return completeSigning(deps, params.token, body, meta(request));
    }, {
      params: TokenParams,
      body: CompleteBody,
      parse: "json",
      response: { 200: SigningSessionSchema, ...problemResponses(400, 404, 409, 410, 415, 422) },
      detail: {
        operationId: "completeSigning",
        summary: "Sign (or approve)",
        description: "A SIGNER sends a typed or drawn signature; an APPROVER only consent. `consent` must be true and required fields filled " +
          "(422 with JSON pointers). Not this recipient's turn yet: 409 `signing_not_your_turn`; already done: 409 `signing_already_done`; " +
          "envelope ended: 410 `signing_closed`.",
        security: [],
      },
    })
    .post("/:token/reassign", ({ request, params, body, set }) => {
      set.headers["cache-control"] = "no-store";
      return reassignSigning(deps, params.token, body, meta(request));
    }, {
      params: TokenParams,
      body: ReassignBody,
      parse: "json",
      response: { 200: ReassignedSchema, ...problemResponses(400, 404, 409, 410, 415, 422) },
      detail: {
        operationId: "reassignSigning",
        summary: "Hand this signer's turn to someone else",
        description: "Only when the envelope has `allowReassign`: `name`, `email` and `reason`. The new person takes this recipient's place with a new link and the invitation; " +
          "this link stops working (404). Audited (`recipient.reassigned`) and shown in the certificate of completion. Not allowed: 409 `reassign_not_allowed`.",
        security: [],
      },
    })
    .post("/:token/decline", ({ request, params, body, set }) => {
      set.headers["cache-control"] = "no-store";
      return declineSigning(deps, params.token, body.reason, meta(request));
    }, {
      params: TokenParams,
      body: DeclineBody,
      parse: "json",
      response: { 200: SigningSessionSchema, ...problemResponses(400, 404, 409, 410, 415, 422) },
      detail: { operationId: "declineSigning", summary: "Decline to sign, with a reason", description: "The envelope ends DECLINED and the other recipients are told.", security: [] },
    });
