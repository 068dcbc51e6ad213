import { Elysia, t } from "elysia";
import type { Deps } from "../../deps";
import { contextOf } from "../../http/context";
import { principalOf } from "../../http/principal";
import { AUTH_ERRORS, IdParams, listOf, problemResponses } from "../../http/schemas";
import { CreateEnvelopeBody, EnvelopeSchema, ListEnvelopesQuery, UpdateEnvelopeBody, VoidQuery } from "./model";
import { remindRecipient } from "./remind-recipient";
import { apiActor, createEnvelope, deleteEnvelope, getEnvelope, listEnvelopes, sendEnvelope, updateEnvelope } from "./service";

/** The caller (environment, and who to write in the audit trail). */
function caller(request: Request) {
  const { keyId, environment } = principalOf(request);
  const ctx = contextOf(request);
  return { environment, who: apiActor(keyId, ctx.ip, ctx.userAgent) };
}

export const envelopeRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/envelopes", detail: { tags: ["Envelopes"] } })
    .post("", ({ request, body, set }) => {
      const { environment, who } = caller(request);
      const envelope = createEnvelope(deps, environment, who, body);
      set.status = 201;
      set.headers.location = `/api/v1/envelopes/${envelope.id}`;
      return envelope;
    }, {
      body: CreateEnvelopeBody,
      parse: "json",
      response: { 201: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 400, 415, 422) },
      detail: {
        summary: "Create an envelope (DRAFT)",
        description:
          "From `subject`, `documentIds` and `recipients` (role defaults to SIGNER). Parallel signing unless `signingOrder` " +
          "is \"sequential\" or recipients carry a `routingOrder`. Field coordinates are PDF points on the displayed page, " +
          "origin at the TOP-LEFT, y downwards. 422 `validation_failed` lists every bad member as a JSON pointer: unknown " +
          "or other-environment documents, no SIGNER, a bad or duplicate e-mail, a field outside its page.",
      },
    })
    .get("", ({ request, query }) => listEnvelopes(deps, principalOf(request).environment, query as any), {
      query: ListEnvelopesQuery,
      response: { 200: listOf(EnvelopeSchema, "EnvelopeList"), ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { summary: "List envelopes, newest first, optionally by status" },
    })
    .get("/:id", ({ request, params }) => getEnvelope(deps, principalOf(request).environment, params.id), {
      params: IdParams,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { summary: "Get an envelope: recipients (with signUrl once sent), fields, status, audit summary" },
    })
    .patch("/:id", ({ request, params, body }) => {
      const { environment, who } = caller(request);
      return updateEnvelope(deps, environment, who, params.id, body);
    }, {
      params: IdParams,
      body: UpdateEnvelopeBody,
      parse: "json",
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 409, 415, 422) },
      detail: { summary: "Update a DRAFT envelope", description: "409 `envelope_not_draft` once it is sent. `recipients` replaces all recipients and their fields." },
    })
    .delete("/:id", ({ request, params, query }) => {
      const { environment, who } = caller(request);
      return deleteEnvelope(deps, environment, who, params.id, query.reason);
    }, {
      params: IdParams,
      query: VoidQuery,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: {
        summary: "Delete a DRAFT, or void a sent envelope",
        description: "A DRAFT is removed (the reply is its last state, with `deleted: true`). A SENT envelope becomes VOIDED: " +
          "its signing links stop working (410) and the recipients are told. An envelope that has ended: 409 `envelope_ended`.",
      },
    })
    .post("/:id/send", ({ request, params }) => {
      const { environment, who } = caller(request);
      return sendEnvelope(deps, environment, who, params.id);
    }, {
      params: IdParams,
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404, 409, 422) },
      detail: {
        summary: "Send a DRAFT envelope",
        description: "Moves it to SENT, invites the first routing group (e-mail, SMS when asked) and answers with every recipient's `signUrl`. Sending twice: 409 `envelope_already_sent`.",
      },
    })
    .post("/:id/recipients/:recipientId/remind", ({ request, params }) => {
      const { environment, who } = caller(request);
      return remindRecipient(deps, environment, who, params.id, params.recipientId);
    }, {
      params: t.Object({ id: t.String(), recipientId: t.String() }),
      response: { 200: EnvelopeSchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: {
        summary: "Remind a recipient now",
        description: "Sends the recipient who still has to act a reminder with their signing link now (e-mail, and SMS when the envelope asks for it), " +
          "whatever the reminder interval. The recipient's `delivery` starts afresh. 409 when the envelope is not SENT or the recipient has nothing left to do.",
      },
    });
