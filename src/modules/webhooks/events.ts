import { and, eq, isNull, sql } from "drizzle-orm";
import type { Clock } from "../../clock";
import { newId } from "../../ids";
import { signalWork } from "../../jobs/worker";
import { preparedPerSession, type Tx } from "../../store/db";
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

/** The body every delivery of an event carries, byte for byte the same on each retry. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  environment: Environment;
  data: Record<string, unknown>;
}

/** Statements prepared once per session (store/db.ts): this runs inside every envelope change. */
const statements = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return {
    insertEvent: tx.insert(webhookEvents)
      .values({ id: ph("id"), environment: ph("environment"), type: ph("type"), payload: ph("payload"), createdAt: ph("createdAt") } as any)
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
 * Records an event in the durable outbox, inside the caller's transaction: the event
 * (payload serialised once, so its id and bytes are stable across retries) and one
 * pending delivery per enabled endpoint of the environment subscribed to the type.
 * The dispatcher sends them. Returns the event id (evt_...).
 */
export async function recordEvent(
  tx: Tx,
  clock: Clock,
  e: { environment: Environment; type: WebhookEventType; data: Record<string, unknown> },
): Promise<string> {
  const now = clock.now();
  const id = newId("evt");
  const payload: WebhookPayload = { id, type: e.type, createdAt: now.toISOString(), environment: e.environment, data: e.data };
  const q = statements(tx);
  await q.insertEvent.execute({ id, environment: e.environment, type: e.type, payload: JSON.stringify(payload), createdAt: now });
  let deliveries = 0;
  for (const w of await q.endpoints.execute({ environment: e.environment })) {
    if (subscribes(w.events, e.type)) {
      await q.insertDelivery.execute({ id: newId("dlv"), eventId: id, webhookId: w.id, now });
      deliveries++;
    }
  }
  if (deliveries) await signalWork(tx, "webhooks");
  return id;
}
