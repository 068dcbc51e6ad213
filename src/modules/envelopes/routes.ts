import { Elysia, t } from "elysia";
import type { Deps } from "../../deps";
import type { Principal } from "../keys/service";
import { sealingService } from "../sealing/lazy";
import { auth } from "../../http/auth";
import { contextOf } from "../../http/context";
import { jsonResponse } from "../../http/json-response";
import { pdfResponse } from "../../http/pdf-response";
import { AUTH_ERRORS, AUTH_PROBLEMS, IdParams, jsonRequestBody, listOf, pdfResponses, problemResponses } from "../../http/schemas";
import { checkShape } from "../../http/validate";
import type { Environment } from "../../store/schema";
import { CorrectRecipientBody, CreateEnvelopeBody, CreateFromTemplateBody, EnvelopeSchema, PurgedEnvelopeSchema, RecipientParams, ListEnvelopesQuery, UpdateEnvelopeBody, VoidQuery } from "./model";
import { publicTombstone, purgeEnvelope } from "./purge-envelope";
import { remindRecipient } from "./remind-recipient";
import { apiActor, type ActorMeta } from "./actor";
import { correctRecipient } from "./correct-recipient";
import { createEnvelope } from "./create-envelope";
import { createEnvelopeFromTemplate } from "./create-envelope-from-template";
import { deleteEnvelope } from "./delete-envelope";
import { getEnvelopeJson } from "./get-envelope";
import { listEnvelopesJson } from "./list-envelopes";
import { sendEnvelope } from "./send-envelope";
import { updateEnvelope } from "./update-envelope";

/** The caller (environment, and who to write in the audit trail). */
function caller({ keyId, environment }: Principal, request: Request) {
  const ctx = contextOf(request);
  return { environment, who: apiActor(keyId, ctx.ip, ctx.userAgent) };
}

/** Two bodies: from a template (it has `templateId`), or from documents and recipients. */
function createFromBody(deps: Deps, environment: Environment, who: ActorMeta, body: unknown) {
  if (body && typeof body === "object" && "templateId" in body) {
    const shape = checkShape(CreateFromTemplateBody, body);
    return createEnvelopeFromTemplate(deps, { environment, who, request: shape.value, shapeErrors: shape.errors });
  }
  const shape = checkShape(CreateEnvelopeBody, body);
  return createEnvelope(deps, { environment, who, draft: shape.value, found: { shapeErrors: shape.errors } });
}

export const envelopeRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/envelopes", detail: { tags: ["Envelopes"] } })
    .use(auth)
    .post("", async ({ principal, request, body }) => {
      const { environment, who } = caller(principal, request);
      const envelope = await createFromBody(deps, environment, who, body);
      // Sent as made, as the GET answers are (http/json-response.ts): Elysia's check of the view against its schema was 3 % of a creation.
      return new Response(JSON.stringify(envelope), { status: 201, headers: { "content-type": "application/json;charset=utf-8", location: `/api/v1/envelopes/${envelope.id}` } });
    }, {
      auth: "envelopes",
      parse: "json",
      response: { 201: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 400, 415, 422) },
      detail: {
        operationId: "createEnvelope",
        summary: "Create an envelope (DRAFT)",
        requestBody: jsonRequestBody(t.Union([CreateEnvelopeBody, CreateFromTemplateBody])),
        description:
          "From `subject`, `documentIds` and `recipients` (role defaults to SIGNER), or from a template: `templateId`, one " +
          "recipient per role (`roleName`) and `prefill`. Parallel signing unless `signingOrder` " +
          "is \"sequential\" or recipients carry a `routingOrder`. Field coordinates are PDF points on the displayed page, " +
          "origin at the TOP-LEFT, y downwards. 422 `validation_failed` lists every bad member as a JSON pointer: unknown " +
          "or other-environment documents, no SIGNER, a bad or duplicate e-mail, a field outside its page.",
      },
    })
    .get("", async ({ principal, query }) => jsonResponse(await listEnvelopesJson(deps, { environment: principal.environment, ...query })), {
      auth: "envelopes",
      query: ListEnvelopesQuery,
      response: { 200: listOf(EnvelopeSchema, "EnvelopeList"), ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { operationId: "listEnvelopes", summary: "List envelopes, newest first, optionally by status" },
    })
    .get("/:id", async ({ principal, params }) => jsonResponse(await getEnvelopeJson(deps, { environment: principal.environment, envelopeId: params.id })), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "getEnvelope", summary: "Get an envelope: recipients (with signUrl once sent), fields, status, audit summary" },
    })
    .patch("/:id", ({ principal, request, params, body }) => {
      const { environment, who } = caller(principal, request);
      const shape = checkShape(UpdateEnvelopeBody, body);
      return updateEnvelope(deps, { environment, who, envelopeId: params.id, patch: shape.value, shapeErrors: shape.errors });
    }, {
      auth: "envelopes",
      params: IdParams,
      parse: "json",
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 409, 415, 422) },
      detail: { operationId: "updateEnvelope", summary: "Update a DRAFT envelope", requestBody: jsonRequestBody(UpdateEnvelopeBody), description: "409 `envelope_not_draft` once it is sent. `recipients` replaces all recipients and their fields." },
    })
    .delete("/:id", async ({ principal, request, params, query }) => {
      const { environment, who } = caller(principal, request);
      if (query.purge) return publicTombstone(await purgeEnvelope(deps, { environment, who, envelopeId: params.id, reason: "request" }));
      return deleteEnvelope(deps, { environment, who, envelopeId: params.id, reason: query.reason });
    }, {
      auth: "envelopes",
      params: IdParams,
      query: VoidQuery,
      response: { 200: t.Union([EnvelopeSchema, PurgedEnvelopeSchema]), ...problemResponses(...AUTH_ERRORS, 404, 409, 410) },
      detail: {
        operationId: "deleteEnvelope",
        summary: "Delete a DRAFT, void a sent envelope, or purge an ended one",
        description: "A DRAFT is removed (the reply is its last state, with `deleted: true`). A SENT envelope becomes VOIDED: " +
          "its signing links stop working (410) and the recipients are told. An envelope that has ended: 409 `envelope_ended`, " +
          "unless `?purge=true` (GDPR erasure): its recipients, fields, audit events, webhook events and files are erased and the reply " +
          "is its tombstone; from then on it answers 410 `envelope_purged`. `?purge=true` on an envelope that has not ended: 409 `envelope_not_ended`.",
      },
    })
    .patch("/:id/recipients/:recipientId", ({ principal, request, params, body }) => {
      const { environment, who } = caller(principal, request);
      const shape = checkShape(CorrectRecipientBody, body);
      return correctRecipient(deps, { environment, who, envelopeId: params.id, recipientId: params.recipientId, correction: shape.value, shapeErrors: shape.errors });
    }, {
      auth: "envelopes",
      params: RecipientParams,
      parse: "json",
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 409, 415, 422) },
      detail: {
        operationId: "correctRecipient",
        summary: "Correct a recipient of a SENT envelope",
        description: "For a recipient who has not signed or declined: a new `name`, `email` or `phone`. The recipient's old signing link stops working at once (404), " +
          "the new one is in the answer's `signUrl`, and a recipient already invited gets the invitation again. Audited (`recipient.corrected`, with the values before and after). " +
          "A DRAFT: 409 `envelope_not_sent` (PATCH the envelope instead); signed or declined: 409 `signing_already_done`; ended: 409 `envelope_ended`.",
        requestBody: jsonRequestBody(CorrectRecipientBody),
      },
    })
    .post("/:id/send", ({ principal, request, params }) => {
      const { environment, who } = caller(principal, request);
      return sendEnvelope(deps, { environment, who, envelopeId: params.id });
    }, {
      auth: "envelopes",
      params: IdParams,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404, 409, 422) },
      detail: {
        operationId: "sendEnvelope",
        summary: "Send a DRAFT envelope",
        description: "Moves it to SENT, invites the first routing group (e-mail, SMS when asked) and answers with every recipient's `signUrl`. Sending twice: 409 `envelope_already_sent`.",
      },
    })
    .get("/:id/signed-document", async ({ principal, params, query }) => {
      const { file, filename } = await (await sealingService()).signedDocumentFile(deps, principal.environment, params.id, query.documentId, { sealIfPending: true });
      return pdfResponse(file, filename);
    }, {
      auth: "envelopes",
      params: IdParams,
      query: t.Object({ documentId: t.Optional(t.String({ description: "One document of the envelope, sealed alone" })) }, { additionalProperties: false }),
      detail: {
        operationId: "downloadSignedDocument",
        summary: "Download the sealed PDF of a COMPLETED envelope",
        description: "All documents in order with the signature appearances and the certificate of completion, sealed with a PAdES signature (ETSI.CAdES.detached) by the organisation's certificate. `?documentId=` returns one document alone, sealed too. 409 `envelope_not_completed` before completion.",
        responses: pdfResponses("The sealed PDF", { ...AUTH_PROBLEMS, 404: "No such envelope or document", 409: "Not COMPLETED yet (`envelope_not_completed`)", 503: "Sealing failed (`seal_failed`): the audit trail and the server log say why" }, { ranges: true }) as any,
      },
    })
    .get("/:id/audit-trail", async ({ principal, params }) => {
      const pdf = await (await sealingService()).auditTrail(deps, principal.environment, params.id);
      return pdfResponse(pdf.bytes, pdf.filename);
    }, {
      auth: "envelopes",
      params: IdParams,
      detail: {
        operationId: "downloadAuditTrail",
        summary: "Download the sealed audit-trail PDF",
        description: "Every audit event so far (UTC time, event, actor, IP, user agent, document hashes) with the hash chain and its head, sealed like the signed document. 409 `envelope_not_sent` for a draft.",
        responses: pdfResponses("The sealed audit trail", { ...AUTH_PROBLEMS, 404: "No such envelope", 409: "A draft has no audit trail yet (`envelope_not_sent`)" }) as any,
      },
    })
    .post("/:id/recipients/:recipientId/remind", ({ principal, request, params }) => {
      const { environment, who } = caller(principal, request);
      return remindRecipient(deps, environment, who, params.id, params.recipientId);
    }, {
      auth: "envelopes",
      params: RecipientParams,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: {
        operationId: "remindRecipient",
        summary: "Remind a recipient now",
        description: "Sends the recipient who still has to act a reminder with their signing link now (e-mail, and SMS when the envelope asks for it), " +
          "whatever the reminder interval. The recipient's `delivery` starts afresh. 409 when the envelope is not SENT or the recipient has nothing left to do.",
      },
    });
