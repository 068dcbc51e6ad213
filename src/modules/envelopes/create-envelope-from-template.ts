import type { Static } from "@sinclair/typebox";
import type { Deps } from "../../deps";
import { invalid, type FieldError } from "../../errors";
import { firstRow } from "../../store/portable-sql";
import { templates, type Environment } from "../../store/schema";
import { and, eq } from "drizzle-orm";
import { draftFromTemplate, peopleProblems } from "../templates/template-draft";
import type { ActorMeta } from "./actor";
import { createEnvelope, type CreateEnvelopeInput } from "./create-envelope";
import type { CreateFromTemplateBody } from "./model";
import type { EnvelopeView } from "./view";

export type FromTemplateRequest = Static<typeof CreateFromTemplateBody>;

export interface CreateEnvelopeFromTemplateInput {
  environment: Environment;
  who: ActorMeta;
  request: FromTemplateRequest;
  shapeErrors?: FieldError[];
  batch?: CreateEnvelopeInput["batch"];
}

const DAY_MS = 86_400_000;

/**
 * POST /envelopes with `templateId`: a DRAFT that copies the template (documents, roles'
 * orders and fields, defaults), with one person per role and the sender's prefill. A copy:
 * later edits of the template do not reach it.
 */
export async function createEnvelopeFromTemplate(deps: Deps, { environment, who, request: r, shapeErrors = [], batch }: CreateEnvelopeFromTemplateInput): Promise<EnvelopeView> {
  const tpl = await firstRow(deps.db.select().from(templates).where(and(eq(templates.id, r.templateId), eq(templates.environment, environment))));
  // Like an unknown document: a 422 naming the member, with the request's other shape errors.
  if (!tpl) throw invalid([...shapeErrors, { pointer: "/templateId", message: `template ${r.templateId} does not exist` }], "The envelope is not valid");
  const expiresAt = r.expiresAt ?? (tpl.expiresInDays ? new Date(deps.clock.now().getTime() + tpl.expiresInDays * DAY_MS).toISOString() : undefined);
  const draft = draftFromTemplate(tpl, r.recipients, {
    subject: r.subject, message: r.message, locale: r.locale, expiresAt, reminderIntervalHours: r.reminderIntervalHours,
    notifyBySms: r.notifyBySms, allowReassign: r.allowReassign, metadata: r.metadata, prefill: r.prefill,
  });
  return createEnvelope(deps, { environment, who, draft, found: { shapeErrors, ruleErrors: peopleProblems(tpl.roles, r.recipients) }, templateId: tpl.id, batch });
}
