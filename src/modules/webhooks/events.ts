import { and, eq, isNull, sql } from "drizzle-orm";
import type { Clock } from "../../clock";
import { newId } from "../../ids";
import { signalWork } from "../../jobs/worker";
import type { Tx } from "../../store/db";
import { preparedPerSession } from "../../store/prepared";
import { webhookDeliveries, webhookEvents, webhooks, type Environment } from "../../store/schema";

/** Every event a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  "envelope.created",
  "envelope.sent",
  "envelope.completed",
  "envelope.declined",
  "envelope.voided",
  "envelope.expired",
  "recipient.viewed",
  "recipient.signed",
  "envelope.seal_delayed",
  "recipient.delivery_failed",
  "envelope.seal_failed",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** An endpoint's subscription: "*" means every type, including types added later. */
export const ALL_EVENTS = "*";

export const subscribes = (events: readonly string[], type: string) => events.includes(type) || events.includes(ALL_EVENTS);

type EventData = Record<string, unknown>;

/** The body every delivery of an event carries, byte for byte the same on each retry. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  environment: Environment;
  data: Record<string, unknown>;
}

/** Statements prepared once (store/prepared.ts): this runs inside every envelope change. */
const statements = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return {
    insertEvent: tx.insert(webhookEvents)
      .values({ id: ph("id"), environment: ph("environment"), type: ph("type"), envelopeId: ph("envelopeId"), payload: ph("payload"), createdAt: ph("createdAt") } as any)
      .prepare(),
    endpoints: tx.select({ id: webhooks.id, events: webhooks.events }).from(webhooks)
      .where(and(eq(webhooks.environment, ph("environment") as any), eq(webhooks.enabled, true), isNull(webhooks.deletedAt)))
      .prepare(),
    insertDelivery: tx.insert(webhookDeliveries)
      .values({ id: ph("id"), eventId: ph("eventId"), webhookId: ph("webhookId"), status: "pending", attempts: 0, nextAttemptAt: ph("now"), createdAt: ph("now"), updatedAt: ph("now") } as any)
      .prepare(),
  };
});

/**
 * Records an event in the durable outbox, inside the caller's transaction: the event (payload
 * serialised once, so its id and bytes are stable across retries) and one pending delivery per
 * enabled endpoint of the environment subscribed to the type. The dispatcher sends them.
 * With no such endpoint nothing is written, and `data` given as a function (an envelope's
 * whole view, for most events) is not even made: an event is only ever read through its
 * deliveries. Returns the event id (evt_...), or null.
 */
export async function recordEvent(
  tx: Tx,
  clock: Clock,
  e: { environment: Environment; type: WebhookEventType; envelopeId: string; data: EventData | (() => EventData | Promise<EventData>) },
): Promise<string | null> {
  const q = statements(tx);
  const endpoints = (await q.endpoints.execute({ environment: e.environment })).filter((w) => subscribes(w.events, e.type));
  if (!endpoints.length) return null;
  const now = clock.now();
  const id = newId("evt");
  const payload: WebhookPayload = { id, type: e.type, createdAt: now.toISOString(), environment: e.environment, data: typeof e.data === "function" ? await e.data() : e.data };
  await q.insertEvent.execute({ id, environment: e.environment, type: e.type, envelopeId: e.envelopeId, payload: JSON.stringify(payload), createdAt: now });
  for (const w of endpoints) await enqueueDelivery(tx, now, id, w.id);
  await signalWork(tx, "webhooks");
  return id;
}

/** One pending delivery of an event to an endpoint, due `now` (an event's, or a resend); its id. */
export async function enqueueDelivery(tx: Tx, now: Date, eventId: string, webhookId: string): Promise<string> {
  const id = newId("dlv");
  await statements(tx).insertDelivery.execute({ id, eventId, webhookId, now });
  return id;
}
