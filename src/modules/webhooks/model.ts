import { t } from "elysia";
import { DELIVERY_STATUSES, literalUnion } from "../../enums";
import { AnswerInteger, InputInteger, nullable } from "../../http/schemas";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from "./events";

/**
 * Event types as the API accepts them. Bodies take plain strings so that an unknown type gets a
 * precise error (`/events/1: unknown event type`) from the service rather than a union mismatch;
 * the enum is what the OpenAPI document shows.
 */
export const EventTypeSchema = t.String({
  enum: [...WEBHOOK_EVENT_TYPES, ALL_EVENTS],
  description: `An event type, or "${ALL_EVENTS}" for every type (including types added later)`,
  examples: ["envelope.completed"],
});

const EventList = t.Array(t.String({ examples: ["envelope.completed"] }), {
  minItems: 1,
  maxItems: 50,
  description: `Event types to receive: ${WEBHOOK_EVENT_TYPES.join(", ")}, or "${ALL_EVENTS}" for all. Default: all.`,
});

export const WebhookSchema = t.Object(
  {
    id: t.String({ examples: ["whk_7q1c5v3b6n0z4f8k2m9x"] }),
    url: t.String({ description: "The URL deliveries are POSTed to", examples: ["https://hr.example.com/hooks/certyneo"] }),
    description: nullable(t.String()),
    events: t.Array(EventTypeSchema),
    enabled: t.Boolean({ description: "False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH)" }),
    disabledReason: nullable(t.String({ description: "Why the endpoint was disabled" })),
    failingSince: nullable(t.String({ format: "date-time", description: "Start of the current run of failed deliveries, null while healthy" })),
    createdAt: t.String({ format: "date-time" }),
  },
  { $id: "#/components/schemas/Webhook", title: "Webhook" },
);

export const DeletedWebhookSchema = t.Composite(
  [WebhookSchema, t.Object({ deletedAt: t.String({ format: "date-time", description: "When the endpoint was deleted" }) })],
  { title: "DeletedWebhook" },
);

export const CreatedWebhookSchema = t.Composite(
  [
    WebhookSchema,
    t.Object({
      secret: t.String({
        description: "Signing secret (Standard Webhooks `whsec_<base64>`). Shown once: store it now.",
        examples: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      }),
    }),
  ],
  { title: "CreatedWebhook" },
);

export const CreateWebhookBody = t.Object(
  {
    url: t.String({ minLength: 1, maxLength: 2048, description: "http(s) URL that receives POSTs; no credentials in it", examples: ["https://hr.example.com/hooks/certyneo"] }),
    events: t.Optional(EventList),
    description: t.Optional(t.String({ maxLength: 500, examples: ["HRIS contract sync"] })),
  },
  { additionalProperties: false, title: "WebhookCreate" },
);

export const UpdateWebhookBody = t.Object(
  {
    url: t.Optional(t.String({ minLength: 1, maxLength: 2048 })),
    events: t.Optional(EventList),
    description: t.Optional(nullable(t.String({ maxLength: 500 }))),
    enabled: t.Optional(t.Boolean({ description: "true re-enables a disabled endpoint; false disables it (its pending deliveries fail)" })),
  },
  { additionalProperties: false, title: "WebhookUpdate" },
);

export const AttemptSchema = t.Object(
  {
    attempt: AnswerInteger({ minimum: 1 }),
    at: t.String({ format: "date-time" }),
    statusCode: nullable(AnswerInteger({ description: "HTTP status answered, null if no response (timeout, refused, network policy)" })),
    durationMs: AnswerInteger(),
    error: nullable(t.String({ description: "Why the attempt failed, null on success", examples: ["HTTP 503: upstream unavailable"] })),
  },
  { title: "WebhookAttempt" },
);

export const DeliverySchema = t.Object(
  {
    id: t.String({ examples: ["dlv_2m9x7q1c5v3b6n0z4f8k"] }),
    webhookId: t.String(),
    eventId: t.String({ description: "Also the webhook-id header: the same on every attempt and resend" }),
    eventType: EventTypeSchema,
    status: literalUnion(DELIVERY_STATUSES),
    attemptCount: AnswerInteger({ description: "Attempts made so far" }),
    nextAttemptAt: nullable(t.String({ format: "date-time", description: "When the next attempt is due, while pending" })),
    lastStatusCode: nullable(AnswerInteger()),
    lastError: nullable(t.String()),
    lastDurationMs: nullable(AnswerInteger()),
    createdAt: t.String({ format: "date-time" }),
    updatedAt: t.String({ format: "date-time" }),
    attempts: t.Array(AttemptSchema, { description: "Attempts, newest first" }),
  },
  { $id: "#/components/schemas/WebhookDelivery", title: "WebhookDelivery" },
);

export const DeliveryListQuery = t.Object(
  {
    limit: t.Optional(InputInteger({ minimum: 1, maximum: 100, default: 20, description: "Page size (1–100)" })),
    startingAfter: t.Optional(t.String({ description: "Cursor: the id of the last delivery of the previous page" })),
    status: t.Optional(literalUnion(DELIVERY_STATUSES)),
  },
  { additionalProperties: false },
);

export const DeliveryParams = t.Object({ id: t.String(), deliveryId: t.String() });
