import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { isoOrNull } from "../../clock";
import type { Deps } from "../../deps";
import type { DeliveryStatus } from "../../enums";
import { AppError, invalid, notFound, type FieldError } from "../../errors";
import { newId } from "../../ids";
import { signalCommittedHere, signalWork } from "../../jobs/worker";
import type { Tx } from "../../store/db";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { webhookAttempts, webhookDeliveries, webhookEvents, webhooks, type Environment } from "../../store/schema";
import { definePager, type Page } from "../../store/paginate";
import { sealSecret } from "../../store/secret-box";
import { ALL_EVENTS, enqueueDelivery, WEBHOOK_EVENT_TYPES } from "./events";
import { literalRefusal, networkPolicy } from "./network";
import { pendingDelivery } from "./outbox-queries";
import { newWebhookSecret } from "./signature";

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type AttemptRow = typeof webhookAttempts.$inferSelect;

/** The API view of an endpoint: never the secret. */
export const publicWebhook = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  description: w.description,
  events: w.events,
  enabled: w.enabled,
  disabledReason: w.disabledReason,
  failingSince: isoOrNull(w.failingSince),
  createdAt: w.createdAt.toISOString(),
});

/** The reply to DELETE: the endpoint as deleted. */
export const deletedWebhook = (w: WebhookRow & { deletedAt: Date }) => ({ ...publicWebhook(w), deletedAt: w.deletedAt.toISOString() });

export const publicDelivery = (d: DeliveryRow & { eventType: string }, attempts: AttemptRow[]) => ({
  id: d.id,
  webhookId: d.webhookId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attemptCount: d.attempts,
  nextAttemptAt: d.status === "pending" ? isoOrNull(d.nextAttemptAt) : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  lastDurationMs: d.lastDurationMs,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  attempts: attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), statusCode: a.statusCode, durationMs: a.durationMs, error: a.error })),
});

/** An http(s) URL without credentials, whose host (if an IP literal) the network policy allows. Returns it normalised. */
function checkUrl(deps: Deps, raw: string): string {
  const bad = (message: string) => invalid([{ pointer: "/url", message }], `Invalid webhook URL: ${message}`);
  if (!URL.canParse(raw)) throw bad("not a valid URL");
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(`must be http or https, not ${url.protocol.replace(/:$/, "")}`);
  if (url.username || url.password) throw bad("must not contain credentials (user:password@); authenticate deliveries with the signature");
  if (!url.hostname) throw bad("has no host");
  const refused = literalRefusal(url, networkPolicy(deps.config.webhooks.allowedNetworks));
  if (refused) throw bad(`${refused}, which deliveries may not reach; an admin can allow it in webhooks.allowedNetworks`);
  url.hash = "";
  return url.href;
}

/** A webhook URL as logs may show it: origin and path, never the query (receivers put tokens there). */
export const loggableUrl = (url: string): string => {
  const u = new URL(url);
  return u.origin + u.pathname;
};

/** Known types (or "*"), without duplicates; "*" alone when it is present. */
function checkEvents(events: string[] | undefined): string[] {
  if (events === undefined) return [ALL_EVENTS];
  const known = new Set<string>([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]);
  const errors: FieldError[] = [];
  events.forEach((e, i) => {
    if (!known.has(e)) errors.push({ pointer: `/events/${i}`, message: `unknown event type "${e}"; expected one of ${[...known].join(", ")}` });
  });
  if (errors.length) throw invalid(errors, "Unknown event type");
  return events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)];
}

export async function createWebhook(
  deps: Deps,
  environment: Environment,
  input: { url: string; events?: string[]; description?: string },
): Promise<{ webhook: WebhookRow; secret: string }> {
  const secret = newWebhookSecret();
  const row: WebhookRow = {
    id: newId("whk"),
    environment,
    url: checkUrl(deps, input.url),
    description: input.description ?? null,
    events: checkEvents(input.events),
    secret: sealSecret(deps.secret, secret),
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: deps.clock.now(),
    deletedAt: null,
  };
  await deps.db.insert(webhooks).values(row);
  deps.log.info("webhook created", { webhookId: row.id, environment, url: loggableUrl(row.url), events: row.events });
  return { webhook: row, secret };
}

const webhookPages = definePager(webhooks, { owner: webhooks.environment, where: isNull(webhooks.deletedAt) });

export function listWebhooks(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string }): Promise<Page<WebhookRow>> {
  return webhookPages.page(deps.db, { owner: environment, ...q });
}

export async function getWebhook(deps: Deps, environment: Environment, id: string): Promise<WebhookRow> {
  const row = await firstRow(deps.db.select().from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.environment, environment), isNull(webhooks.deletedAt))));
  if (!row) throw notFound("Webhook", id);
  return row;
}

/**
 * Marks an endpoint's pending deliveries failed (endpoint disabled or deleted), and tells every
 * dispatcher to drop what it claimed ahead for it. A delivery in flight keeps its attempt: the
 * dispatcher records the outcome and does not retry it.
 */
export async function failPendingDeliveries(tx: Tx, now: Date, webhookId: string, why: string): Promise<void> {
  await tx.update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, lastError: why, updatedAt: now })
    .where(and(eq(webhookDeliveries.webhookId, webhookId), pendingDelivery));
  await signalWork(tx, "webhook-endpoints");
}

/** Disables an endpoint and fails its pending deliveries, in the caller's transaction. */
export async function disableWebhook(tx: Tx, now: Date, webhookId: string, reason: string): Promise<void> {
  await tx.update(webhooks).set({ enabled: false, disabledReason: reason }).where(eq(webhooks.id, webhookId));
  await failPendingDeliveries(tx, now, webhookId, `not sent: endpoint disabled (${reason})`);
}

export async function updateWebhook(
  deps: Deps,
  environment: Environment,
  id: string,
  patch: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
): Promise<WebhookRow> {
  const current = await getWebhook(deps, environment, id);
  const set: Partial<WebhookRow> = {};
  if (patch.url !== undefined) set.url = checkUrl(deps, patch.url);
  if (patch.events !== undefined) set.events = checkEvents(patch.events);
  if (patch.description !== undefined) set.description = patch.description;
  const now = deps.clock.now();
  const moved = set.url !== undefined && set.url !== current.url;
  const disabled = patch.enabled === false && current.enabled;
  await transaction(deps.db, async (tx) => {
    if (Object.keys(set).length) await tx.update(webhooks).set(set).where(eq(webhooks.id, id));
    if (moved) await signalWork(tx, "webhook-endpoints");
    if (patch.enabled === true && !current.enabled) {
      await tx.update(webhooks).set({ enabled: true, disabledReason: null, failingSince: null }).where(eq(webhooks.id, id));
    } else if (disabled) {
      await disableWebhook(tx, now, id, "disabled through the API");
    }
  });
  if (moved || disabled) signalCommittedHere(deps.db, "webhook-endpoints");
  deps.log.info("webhook updated", { webhookId: id, fields: Object.keys(patch) });
  return getWebhook(deps, environment, id);
}

/** Soft delete: deliveries keep their history; pending ones are failed. Returns the row as deleted. */
export async function deleteWebhook(deps: Deps, environment: Environment, id: string): Promise<WebhookRow & { deletedAt: Date }> {
  await getWebhook(deps, environment, id);
  const now = deps.clock.now();
  const row = await transaction(deps.db, async (tx) => {
    const deleted = await firstRow(tx.update(webhooks).set({ deletedAt: now, enabled: false })
      .where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt))).returning());
    if (!deleted) throw notFound("Webhook", id); // deleted meanwhile
    await failPendingDeliveries(tx, now, id, "not sent: endpoint deleted");
    return deleted;
  });
  signalCommittedHere(deps.db, "webhook-endpoints");
  deps.log.info("webhook deleted", { webhookId: id, environment });
  return { ...row, deletedAt: now };
}

async function attemptsOf(deps: Deps, deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
  const out = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  if (!deliveryIds.length) return out;
  const rows = await deps.db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveryIds))
    .orderBy(desc(webhookAttempts.attempt));
  for (const a of rows) out.get(a.deliveryId)!.push(a);
  return out;
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  webhookId: webhookDeliveries.webhookId,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  lastDurationMs: webhookDeliveries.lastDurationMs,
  createdAt: webhookDeliveries.createdAt,
  updatedAt: webhookDeliveries.updatedAt,
  eventType: webhookEvents.type,
};

const deliveryPages = definePager(webhookDeliveries, { owner: webhookDeliveries.webhookId, filters: { status: webhookDeliveries.status } });

/** An endpoint's deliveries, newest first, each with its attempts (status code, duration, error). */
export async function listDeliveries(
  deps: Deps,
  environment: Environment,
  webhookId: string,
  q: { limit?: number; startingAfter?: string; status?: DeliveryStatus },
) {
  await getWebhook(deps, environment, webhookId);
  const page = await deliveryPages.page(deps.db, { owner: webhookId, limit: q.limit, startingAfter: q.startingAfter, filters: { status: q.status } });
  const eventIds = [...new Set(page.data.map((d) => d.eventId))];
  const types = new Map(eventIds.length
    ? (await deps.db.select({ id: webhookEvents.id, type: webhookEvents.type }).from(webhookEvents).where(inArray(webhookEvents.id, eventIds))).map((e) => [e.id, e.type])
    : []);
  const attempts = await attemptsOf(deps, page.data.map((d) => d.id));
  return { data: page.data.map((d) => publicDelivery({ ...d, eventType: types.get(d.eventId)! }, attempts.get(d.id)!)), hasMore: page.hasMore };
}

export async function getDelivery(deps: Deps, environment: Environment, webhookId: string, deliveryId: string) {
  await getWebhook(deps, environment, webhookId);
  const d = await firstRow(deps.db.select(deliveryColumns).from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, webhookId))));
  if (!d) throw notFound("Delivery", deliveryId);
  return publicDelivery(d, (await attemptsOf(deps, [d.id])).get(d.id)!);
}

/**
 * Sends an event to the endpoint again: a new delivery of the same event (same id and body,
 * so a receiver that already has it drops it), due now, with a fresh retry schedule.
 */
export async function resendDelivery(deps: Deps, environment: Environment, webhookId: string, deliveryId: string) {
  const hook = await getWebhook(deps, environment, webhookId);
  const original = await getDelivery(deps, environment, webhookId, deliveryId);
  if (!hook.enabled)
    throw new AppError("webhook_disabled", `Webhook ${webhookId} is disabled (${hook.disabledReason ?? "no reason"}); re-enable it with PATCH {"enabled": true} first`);
  const id = await enqueueDelivery(deps.db, deps.clock.now(), original.eventId, webhookId);
  deps.log.info("webhook delivery resent", { webhookId, deliveryId: id, resendOf: deliveryId, eventId: original.eventId });
  return getDelivery(deps, environment, webhookId, id);
}

