import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { contextOf } from "../../http/context";
import { pdfResponse } from "../../http/pdf-response";
import { pdfResponses, problemResponses } from "../../http/schemas";
import { ReassignBody } from "../envelopes/model";
import { CompleteBody, DeclineBody, ReassignedSchema, SigningSessionSchema, TokenDocumentParams, TokenParams } from "./model";
import { completeSigning, declineSigning, reassignSigning, getSession, openDocument, openSignedDocument } from "./service";

const meta = (request: Request) => {
  const ctx = contextOf(request);
  return { ip: ctx.ip, userAgent: ctx.userAgent };
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
      return pdfResponse(doc.bytes, doc.name, { disposition: "inline", cacheControl: "no-store", headers: { "x-content-sha256": doc.sha256 } });
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
    .get("/:token/signed-document", async ({ request, params }) => {
      const doc = await openSignedDocument(deps, params.token, meta(request));
      return pdfResponse(doc.bytes, doc.filename, { disposition: "inline", cacheControl: "no-store" });
    }, {
      params: TokenParams,
      detail: {
        operationId: "getSigningSignedDocument",
        summary: "Download the sealed PDF of a completed envelope",
        description: "What the completion e-mail's link leads to. Before completion: 409 `envelope_not_completed`; declined, voided or expired: 410 `signing_closed`.",
        security: [],
        responses: pdfResponses("The sealed PDF", {
          404: "Unknown token",
          409: "Not completed yet",
          410: "The envelope ended without completing",
        }) as any,
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
