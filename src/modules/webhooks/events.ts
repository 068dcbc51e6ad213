import { and, eq, isNull } from "drizzle-orm";
import type { Clock } from "../../clock";
import { newId } from "../../ids";
import type { Tx } from "../../store/db";
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

/**
 * Records an event in the durable outbox, inside the caller's transaction: the event
 * (payload serialised once, so its id and bytes are stable across retries) and one
 * pending delivery per enabled endpoint of the environment subscribed to the type.
 * The dispatcher sends them. Returns the event id (evt_...).
 */
export function recordEvent(
  tx: Tx,
  clock: Clock,
  e: { environment: Environment; type: WebhookEventType; data: Record<string, unknown> },
): string {
  const now = clock.now();
  const id = newId("evt");
  const payload: WebhookPayload = { id, type: e.type, createdAt: now.toISOString(), environment: e.environment, data: e.data };
  tx.insert(webhookEvents).values({ id, environment: e.environment, type: e.type, payload: JSON.stringify(payload), createdAt: now }).run();
  const endpoints = tx
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(and(eq(webhooks.environment, e.environment), eq(webhooks.enabled, true), isNull(webhooks.deletedAt)))
    .all();
  const rows = endpoints
    .filter((w) => subscribes(w.events, e.type))
    .map((w) => ({
      id: newId("dlv"),
      eventId: id,
      webhookId: w.id,
      status: "pending" as const,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    }));
  if (rows.length > 0) tx.insert(webhookDeliveries).values(rows).run();
  return id;
}
