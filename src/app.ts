import { Elysia, t, type AnyElysia, type TSchema } from "elysia";
import type { Deps } from "./deps";
import { errorHandler, routePattern } from "./http/errors";
import { contextOf } from "./http/context";
import { authMismatches } from "./http/auth";
import { createIdempotency, expiredRepliesPurge } from "./http/idempotency";
import { openapiPlugin } from "./http/openapi";
import { createPipeline } from "./http/pipeline";
import { createRateLimiter } from "./http/rate-limit";
import { dialectOf } from "./store/dialect";
import { sharedRateBuckets } from "./store/rate-buckets";
import { createJobRunner } from "./jobs/runner";
import { donePurge } from "./jobs/purge-done";
import { adminRoutes } from "./modules/admin/routes";
import { brandingRoutes } from "./modules/branding/routes";
import { purgeExpiredSessions } from "./modules/admin/sessions";
import type { Worker } from "./jobs/worker";
import { documentRoutes } from "./modules/documents/routes";
import { purgeByRetention } from "./modules/envelopes/purge-envelope";
import { envelopeRoutes } from "./modules/envelopes/routes";
import { templateRoutes } from "./modules/templates/routes";
import { batchRoutes } from "./modules/batches/routes";
import { batchHandlers } from "./modules/batches/jobs";
import { keyRoutes } from "./modules/keys/routes";
import { createKeyVerifier } from "./modules/keys/service";
import { sealingHandlers, sealingPeriodic } from "./modules/sealing/jobs";
import { verifyPage } from "./modules/verify-page/page";
import { signingRoutes } from "./modules/signing/routes";
import { verifyRoutes } from "./modules/verify/routes";
import { signerPage } from "./modules/signing/page/page";
import { createWebhookDispatcher } from "./modules/webhooks/dispatcher";
import { historyPurge } from "./modules/webhooks/purge-history";
import { webhookRoutes } from "./modules/webhooks/routes";
import { notificationHandlers } from "./modules/notifications/jobs";
import { notificationPeriodic } from "./modules/notifications/sweeps";
import { createCheckpointer } from "./store/checkpointer";
import { VERSION } from "./version";

/**
 * Responses are checked against their schemas, not encoded: no response schema holds a transform
 * that changes a value (their integers are AnswerInteger, not Elysia's t.Integer), and the
 * encoding walk cost a fifth of a cached GET (test/response-schemas.test.ts keeps both true).
 */
export const ELYSIA_OPTIONS = { normalize: false, encodeSchema: false } as const;

/** Composes the HTTP app over the given dependencies. Tests call it on a temporary data directory. */
export function buildApp(deps: Deps) {
  const keys = createKeyVerifier(deps.db, deps.clock);
  const limiter = createRateLimiter({
    ...deps.config.rateLimit,
    now: () => deps.clock.now().getTime(),
    shared: dialectOf(deps.db) === "postgres" ? sharedRateBuckets(deps.db, deps.config.rateLimit, deps.log) : undefined,
  });
  const idempotency = createIdempotency(deps.db, deps.clock, deps.config.idempotency.ttlHours);
  let routes: { method: string; pattern: RegExp; query?: TSchema }[] = [];
  // The OpenAPI document is made from the composed app, on its first request.
  let composed: AnyElysia | undefined;

  const elysia = new Elysia(ELYSIA_OPTIONS)
    // A JSON body was read, checked and parsed by the pipeline (http/pipeline.ts guardedBody); a
    // form, or a request that did not come through it (app.handle in a test), is parsed here.
    .onParse({ as: "global" }, ({ request }) => contextOf(request).json)
    .use(errorHandler(deps.log, deps.config, () => routes))
    .use(openapiPlugin(deps.config, () => composed!))
    .get("/healthz", () => ({ status: "ok" as const, version: VERSION }), {
      response: t.Object({ status: t.Literal("ok"), version: t.String() }, { title: "Health" }),
      detail: { operationId: "getHealth", tags: ["System"], summary: "Liveness and version (no authentication)", security: [] },
    })
    .use(keyRoutes(deps, keys))
    .use(signerPage(deps))
    .use(documentRoutes(deps))
    .use(envelopeRoutes(deps))
    .use(templateRoutes(deps))
    .use(batchRoutes(deps))
    .use(signingRoutes(deps))
    .use(webhookRoutes(deps))
    .use(verifyRoutes(deps))
    .use(deps.config.verify.publicPage ? verifyPage(deps) : new Elysia({ name: "verify-page-off" }))
    .use(brandingRoutes(deps))
    .use(adminRoutes(deps, keys));

  composed = elysia;
  const undeclared = authMismatches(elysia.routes);
  if (undeclared.length) throw new Error(`auth: SCOPE must be declared on exactly the API-key routes; check ${undeclared.join(", ")}`);
  routes = elysia.routes.map((r) => ({ method: r.method, pattern: routePattern(r.path), query: (r.hooks as { query?: TSchema }).query }));
  // The durable outbox: job handlers by kind, and the functions run on each tick (reminders, expiry, the deletions of what is kept for a time).
  const [purgeDone, purgeHistory, purgeReplies] = [donePurge(), historyPurge(), expiredRepliesPurge()];
  const periodic = [
    ...notificationPeriodic, ...sealingPeriodic,
    async () => void (await purgeReplies(deps)), () => purgeExpiredSessions(deps),
    async () => void (await purgeByRetention(deps)), async () => void (await purgeDone(deps)), async () => void (await purgeHistory(deps)),
  ];
  const jobs = createJobRunner(deps, { ...notificationHandlers(deps), ...sealingHandlers(deps), ...batchHandlers(deps) }, periodic);
  const webhooks = createWebhookDispatcher(deps);
  const workers: Worker[] = [jobs, webhooks, ...(limiter.sync ? [limiter.sync] : []), createCheckpointer(deps.db, deps.log)];
  // Elysia's fetch answers synchronously when the route does; its handle() wraps it in one more promise.
  const fetch = createPipeline(deps, { handle: (req) => elysia.fetch(req), keys, limiter, idempotency });
  return { elysia, fetch, workers, keys, jobs, webhooks };
}

export type App = ReturnType<typeof buildApp>;
