import { sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { preparedPerSession } from "../../store/db";
import { newId } from "../../ids";
import { envelopes, type Environment } from "../../store/schema";
import type { ActorMeta } from "./actor";
import { assertValidDraft, writeDraftParts } from "./draft";
import type { EnvelopeDraft } from "./lifecycle";
import { auditEnvelope, immediate, recordEnvelopeEvent } from "./record-change";
import { documentHashes, recipientRows } from "./rows";
import { publicEnvelope, type EnvelopeView } from "./view";

export interface CreateEnvelopeInput {
  environment: Environment;
  who: ActorMeta;
  draft: EnvelopeDraft;
}

/** Placeholders of encoded columns go through the column's encoder, which takes no null: a nullable time is passed as epoch ms. */
const insertEnvelope = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return tx.insert(envelopes).values({
    id: ph("id"), environment: ph("environment"), subject: ph("subject"), message: ph("message"), status: "DRAFT",
    locale: ph("locale"), notifyBySms: ph("notifyBySms"), expiresAt: sql`${ph("expiresAtMs")}`, reminderIntervalHours: ph("reminderIntervalHours"),
    metadata: ph("metadata"), createdAt: ph("now"), updatedAt: ph("now"),
  } as any).prepare();
});

/** POST /envelopes: a validated DRAFT, audited, with an envelope.created event. */
export function createEnvelope(deps: Deps, { environment, who, draft }: CreateEnvelopeInput): EnvelopeView {
  return deps.db.transaction((tx) => {
    assertValidDraft(tx, deps.clock, environment, draft);
    const now = deps.clock.now();
    const id = newId("env");
    insertEnvelope(tx).run({
      id, environment, subject: draft.subject, message: draft.message ?? null,
      locale: draft.locale ?? "en", notifyBySms: draft.notifyBySms ?? false,
      expiresAtMs: draft.expiresAt ? new Date(draft.expiresAt).getTime() : null,
      reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata ?? {}, now,
    });
    writeDraftParts(tx, id, draft);
    auditEnvelope(tx, deps, id, "envelope.created", who, {
      subject: draft.subject,
      documents: documentHashes(tx, id),
      recipients: recipientRows(tx, id).map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
    });
    return publicEnvelope(deps, recordEnvelopeEvent(tx, deps, id, "envelope.created"));
  }, immediate);
}
