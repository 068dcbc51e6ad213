import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { auth } from "../../http/auth";
import { AUTH_ERRORS, IdParams, ListQuery, listOf, problemResponses } from "../../http/schemas";
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  DeletedWebhookSchema,
  DeliveryListQuery,
  DeliveryParams,
  DeliverySchema,
  UpdateWebhookBody,
  WebhookSchema,
} from "./model";
import {
  createWebhook,
  deletedWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  publicWebhook,
  resendDelivery,
  updateWebhook,
} from "./service";
import { WEBHOOK_EVENT_TYPES } from "./events";

const SIGNING =
  "Each delivery is a POST of the event JSON `{id, type, createdAt, environment, data}` (`data.envelope`: the envelope as GET returns it, " +
  "without the recipients' `signUrl`) signed the Standard Webhooks way: " +
  "headers `webhook-id` (the event id, stable across retries), `webhook-timestamp` (Unix seconds) and " +
  "`webhook-signature: v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`, the key being the base64 part of `whsec_…`. " +
  "A 2xx answer within the timeout is a success; anything else is retried after about 10 s, 1 min, 5 min, 30 min, 2 h, 8 h and 24 h, then failed. " +
  `Event types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`;

export const webhookRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/webhooks", detail: { tags: ["Webhooks"] } })
    .use(auth)
    .get("", async ({ principal, query }) => {
      const page = await listWebhooks(deps, principal.environment, query);
      return { data: page.data.map(publicWebhook), hasMore: page.hasMore };
    }, {
      auth: "webhooks",
      query: ListQuery,
      response: { 200: listOf(WebhookSchema, "WebhookList"), ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { operationId: "listWebhooks", summary: "List webhook endpoints, newest first (disabled ones included)" },
    })
    .post("", async ({ principal, body, set }) => {
      const { webhook, secret } = await createWebhook(deps, principal.environment, body);
      set.status = 201;
      set.headers.location = `/api/v1/webhooks/${webhook.id}`;
      return { ...publicWebhook(webhook), secret };
    }, {
      auth: "webhooks",
      body: CreateWebhookBody,
      parse: "json",
      response: { 201: CreatedWebhookSchema, ...problemResponses(...AUTH_ERRORS, 400, 415, 422) },
      detail: { operationId: "createWebhook", summary: "Register a webhook endpoint (the signing secret is returned once)", description: SIGNING },
    })
    .get("/:id", async ({ principal, params }) => publicWebhook(await getWebhook(deps, principal.environment, params.id)), {
      auth: "webhooks",
      params: IdParams,
      response: { 200: WebhookSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "getWebhook", summary: "Get a webhook endpoint" },
    })
    .patch("/:id", async ({ principal, params, body }) => publicWebhook(await updateWebhook(deps, principal.environment, params.id, body)), {
      auth: "webhooks",
      params: IdParams,
      body: UpdateWebhookBody,
      parse: "json",
      response: { 200: WebhookSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 415, 422) },
      detail: { operationId: "updateWebhook", summary: "Change a webhook endpoint, or re-enable a disabled one (`enabled: true`)" },
    })
    .delete("/:id", async ({ principal, params }) => deletedWebhook(await deleteWebhook(deps, principal.environment, params.id)), {
      auth: "webhooks",
      params: IdParams,
      response: { 200: DeletedWebhookSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "deleteWebhook", summary: "Delete a webhook endpoint (its pending deliveries are dropped)", description: "Answers the endpoint as deleted: `enabled: false` and `deletedAt`." },
    })
    .get("/:id/deliveries", ({ principal, params, query }) => listDeliveries(deps, principal.environment, params.id, query), {
      auth: "webhooks",
      params: IdParams,
      query: DeliveryListQuery,
      response: { 200: listOf(DeliverySchema, "WebhookDeliveryList"), ...problemResponses(...AUTH_ERRORS, 404, 422) },
      detail: { operationId: "listWebhookDeliveries", summary: "Recent deliveries of an endpoint, newest first, with their attempts (status code, duration, error)" },
    })
    .post("/:id/deliveries/:deliveryId/resend", ({ principal, params, set }) => {
      set.status = 202;
      return resendDelivery(deps, principal.environment, params.id, params.deliveryId);
    }, {
      auth: "webhooks",
      params: DeliveryParams,
      response: { 202: DeliverySchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: {
        operationId: "resendWebhookDelivery",
        summary: "Send a delivery's event again",
        description: "Queues a new delivery of the same event (same `webhook-id` and body) with a fresh retry schedule. 409 `webhook_disabled` if the endpoint is disabled.",
      },
    });
