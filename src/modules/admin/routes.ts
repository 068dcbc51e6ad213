import { createReadStream, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { supportedLocale } from "../../enums";
import { AppError } from "../../errors";
import { contextOf } from "../../http/context";
import { systemError } from "../../http/system-errors";
import { randomToken } from "../../ids";
import { transaction } from "../../store/transaction";
import { retryFailedJob, retryFailedJobs } from "../../jobs/retry";
import type { Environment } from "../../store/schema";
import type { ActorMeta } from "../envelopes/actor";
import { deleteEnvelope } from "../envelopes/delete-envelope";
import { isEmail } from "../envelopes/draft-rules";
import { getEnvelope } from "../envelopes/get-envelope";
import { purgeEnvelope } from "../envelopes/purge-envelope";
import { remindRecipient } from "../envelopes/remind-recipient";
import { SCOPES } from "../keys/scopes";
import { createKey, revokeKey, type KeyVerifier } from "../keys/service";
import { retrySeal, retrySeals } from "../sealing/retry-seal";
import { pdfResponse } from "../../http/pdf-response";
import { getBranding, saveBranding } from "../branding/service";
import { sealingService } from "../sealing/lazy";
import { resendDelivery, updateWebhook } from "../webhooks/service";
import { recordAction, type AdminActor } from "./actions";
import { allFailedMessageIds, allFailedSealIds } from "./queries";
import { authenticate, checkTotpCode, type AdminUser } from "./accounts";
import type { Html } from "./html";
import { pickLang, translator, type StringKey } from "./i18n";
import { adminAsset, cookiesOf, htmlError, redirect, safeNext, sameToken, secured, str } from "./answers";
import { page, type View } from "./layout";
import { activityBody } from "./pages/activity";
import { brandingBody } from "./pages/branding";
import { dashboardBody } from "./pages/dashboard";
import { documentsBody } from "./pages/documents";
import { envelopeBody, envelopesBody } from "./pages/envelopes";
import { failuresBody } from "./pages/failures";
import { keysBody } from "./pages/keys";
import { loginBody, totpBody } from "./pages/login";
import { settingsBody } from "./pages/settings";
import { webhookBody, webhooksBody } from "./pages/webhooks";
import { endSession, markVerified, readSession, sessionCookie, startSession, SESSION_COOKIE, type AdminSession } from "./sessions";

const ENV_COOKIE = "certyneo_admin_env";
const LOGIN_CSRF_COOKIE = "certyneo_login_csrf";
const LANG_COOKIE = "certyneo_admin_lang";

type Body = Record<string, unknown>;

/** Everything a console handler gets: the signed-in admin, the chosen environment, the view. */
interface Console {
  request: Request;
  url: URL;
  body: Body;
  params: Record<string, string>;
  admin: AdminUser;
  session: AdminSession;
  env: Environment;
  v: View;
  /** For the admin action log. */
  who: AdminActor;
  /** For envelope audit trails. */
  actor: ActorMeta;
  /** Records an admin action in the log. */
  record(action: string, target?: string | null, data?: Record<string, unknown>): Promise<void>;
}

export function adminRoutes(deps: Deps, keys: KeyVerifier) {
  const secureCookie = deps.config.baseUrl.startsWith("https:") ? "; Secure" : "";

  function viewOf(request: Request, url: URL, env: Environment, email: string | null, csrf: string, organisation = ""): View {
    const lang = pickLang(url.searchParams.get("lang"), cookiesOf(request)[LANG_COOKIE], request.headers.get("accept-language"));
    return { t: translator(lang), lang, env, email, csrf, path: url.pathname, query: url.searchParams, organisation };
  }
  const viewFor = async (request: Request, url: URL, env: Environment, email: string | null, csrf: string): Promise<View> =>
    viewOf(request, url, env, email, csrf, (await getBranding(deps.db)).organisationName);

  function envOf(url: URL, cookies: Record<string, string>): { env: Environment; set?: string } {
    const asked = url.searchParams.get("env");
    if (asked === "test" || asked === "live") return { env: asked, set: `${ENV_COOKIE}=${asked}; Path=/admin; HttpOnly; SameSite=Strict${secureCookie}` };
    return { env: cookies[ENV_COOKIE] === "test" ? "test" : "live" };
  }

  function errorPage(v: View, thrown: unknown): Response {
    const e = thrown instanceof AppError ? thrown : systemError(thrown) ?? thrown;
    if (!(e instanceof AppError)) {
      deps.log.error("admin console error", { error: String((e as Error)?.stack ?? e) });
      return page(v, v.t("errorTitle"), htmlError(v, "Internal error"), { status: 500 });
    }
    const res = page(v, v.t(e.status === 404 ? "notFoundTitle" : "errorTitle"), htmlError(v, e.message), { status: e.status });
    for (const [k, value] of Object.entries(e.extra.headers ?? {})) res.headers.set(k, value);
    return res;
  }

  /**
   * A console page that failed on a system condition (the database or the bucket away, a full
   * disk) before its page could be made: its words and status as a page of the console, not
   * the API's problem+json, made without the database (no session, no branding), since that may
   * be what is away.
   */
  const pageOnSystemError = <A extends { request: Request }>(handler: (a: A) => Response | Promise<Response>) => async (a: A): Promise<Response> => {
    try {
      return await handler(a);
    } catch (e) {
      const system = systemError(e);
      if (!system) throw e;
      return secured(errorPage(viewOf(a.request, new URL(a.request.url), "live", null, ""), system));
    }
  };

  /**
   * A console route: a live, fully verified session or a redirect to the login; on POST the
   * session's CSRF token (403 without it); errors as an HTML page with the error's status.
   */
  const guarded = (handler: (c: Console) => Response | Promise<Response>) =>
    pageOnSystemError(async ({ request, body, params }: { request: Request; body: unknown; params: Record<string, string> }) => {
      const url = new URL(request.url);
      const cookies = cookiesOf(request);
      const { env, set } = envOf(url, cookies);
      const extra = set ? [set] : [];
      const s = await readSession(deps, cookies[SESSION_COOKIE]);
      if (!s) {
        const next = request.method === "GET" ? url.pathname + url.search : "/admin";
        return secured(redirect(`/admin/login?next=${encodeURIComponent(next)}${cookies[SESSION_COOKIE] ? "&ended=1" : ""}`), [sessionCookie(deps.config, null)]);
      }
      if (!s.session.verified) return secured(redirect("/admin/login/totp"));
      const v = await viewFor(request, url, env, s.admin.email, s.session.csrfToken);
      const form = (body && typeof body === "object" ? body : {}) as Body;
      if (request.method === "POST" && !sameToken(form._csrf, s.session.csrfToken))
        return secured(page(v, v.t("errorTitle"), htmlError(v, v.t("csrfFailed")), { status: 403 }), extra);
      const ctx = contextOf(request);
      const who: AdminActor = { actor: s.admin.email, ip: ctx.ip, userAgent: ctx.userAgent };
      const c: Console = {
        request, url, body: form, params, admin: s.admin, session: s.session, env, v, who,
        actor: { actor: `admin:${s.admin.email}`, ip: ctx.ip, userAgent: ctx.userAgent },
        record: (action, target, data) => transaction(deps.db, (tx) => recordAction(tx, deps.clock, who, { action, target, environment: env, data })),
      };
      try {
        return secured(await handler(c), extra);
      } catch (e) {
        return secured(errorPage(v, e), extra);
      }
    });

  /** A page of the console with its title from the strings. */
  const show = (title: StringKey, body: (c: Console) => Html | Promise<Html>) =>
    guarded(async (c) => page(c.v, c.v.t(title), await body(c)));

  /** "Resend invitation" and "Remind" on the envelope page. */
  const remind = async (c: Console, kind: "invitation" | "reminder") => {
    await remindRecipient(deps, c.env, c.actor, c.params.id!, c.params.recipientId!, kind);
    await c.record(kind === "invitation" ? "recipient.invitation_resent" : "recipient.reminded", c.params.recipientId, { envelopeId: c.params.id });
    return done(`/admin/envelopes/${c.params.id}`);
  };

  const done = (to: string) => redirect(`${to}${to.includes("?") ? "&" : "?"}done=1`);
  const doneNotice = (c: Console) => (c.url.searchParams.get("done") ? c.v.t("done") : undefined);

  return new Elysia({ name: "admin-console" })
    .get("/admin/assets/admin.css", ({ request }) => adminAsset(request, "admin.css"), { detail: { hide: true } })
    .get("/admin/assets/admin.js", ({ request }) => adminAsset(request, "admin.js"), { detail: { hide: true } })
    // An address under /admin that names no page (a stale bookmark, a typo): a console page, not the API's problem+json.
    .get("/admin/*", ({ request }) => {
      const v = viewOf(request, new URL(request.url), "live", null, "");
      return secured(page(v, v.t("notFoundTitle"), htmlError(v, v.t("noSuchPage")), { status: 404 }));
    }, { detail: { hide: true } })

    // The language switcher (also on the login pages): remembered for a year, then back where it was.
    .get("/admin/language", ({ request }) => {
      const url = new URL(request.url);
      const lang = supportedLocale(url.searchParams.get("lang"));
      const cookie = lang ? [`${LANG_COOKIE}=${lang}; Path=/admin; Max-Age=31536000; HttpOnly; SameSite=Lax${secureCookie}`] : [];
      return secured(redirect(safeNext(url.searchParams.get("next"))), cookie);
    }, { detail: { hide: true } })

    // Login: password, then TOTP when the account has it.
    .get("/admin/login", pageOnSystemError(async ({ request }) => {
      const url = new URL(request.url);
      const cookies = cookiesOf(request);
      const v = await viewFor(request, url, "live", null, "");
      if ((await readSession(deps, cookies[SESSION_COOKIE]))?.session.verified) return secured(redirect("/admin"));
      const token = randomToken(24);
      const info = url.searchParams.get("ended") ? v.t("sessionEnded") : undefined;
      return secured(page(v, v.t("loginTitle"), loginBody(v, token, { info, next: url.searchParams.get("next") ?? undefined })),
        [`${LOGIN_CSRF_COOKIE}=${token}; Path=/admin/login; HttpOnly; SameSite=Strict${secureCookie}`]);
    }), { detail: { hide: true } })
    .post("/admin/login", pageOnSystemError(async ({ request, body }: { request: Request; body: unknown }) => {
      const url = new URL(request.url);
      const cookies = cookiesOf(request);
      const form = (body ?? {}) as Body;
      const v = await viewFor(request, url, "live", null, "");
      const again = (status: number, error: string) => {
        const token = randomToken(24);
        return secured(page(v, v.t("loginTitle"), loginBody(v, token, { error, email: str(form.email), next: str(form.next) || undefined }), { status }),
          [`${LOGIN_CSRF_COOKIE}=${token}; Path=/admin/login; HttpOnly; SameSite=Strict${secureCookie}`]);
      };
      const expected = cookies[LOGIN_CSRF_COOKIE];
      if (!expected || !sameToken(form._csrf, expected)) return again(403, v.t("csrfFailed"));
      const ctx = contextOf(request);
      const from = { ip: ctx.ip, userAgent: ctx.userAgent };
      const result = await authenticate(deps, from, str(form.email), str(form.password));
      if (!result.ok) return result.locked ? again(429, v.t("loginLocked", { seconds: result.retryAfterSeconds ?? 60 })) : again(401, v.t("loginFailed"));
      const verified = !result.admin.totpSecret;
      // The browser's earlier session (another account's, or one waiting for its code) ends here: one browser, one session.
      const earlier = await readSession(deps, cookies[SESSION_COOKIE]);
      if (earlier) await endSession(deps, earlier.session);
      const { token } = await startSession(deps, result.admin, from, verified);
      if (verified) await transaction(deps.db, (tx) => recordAction(tx, deps.clock, { actor: result.admin.email, ...from }, { action: "login" }));
      return secured(redirect(verified ? safeNext(form.next) : "/admin/login/totp"), [sessionCookie(deps.config, token), `${LOGIN_CSRF_COOKIE}=; Path=/admin/login; Max-Age=0`]);
    }), { detail: { hide: true } })
    .get("/admin/login/totp", pageOnSystemError(async ({ request }) => {
      const url = new URL(request.url);
      const s = await readSession(deps, cookiesOf(request)[SESSION_COOKIE]);
      if (!s) return secured(redirect("/admin/login"));
      if (s.session.verified) return secured(redirect("/admin"));
      const v = await viewFor(request, url, "live", null, s.session.csrfToken);
      return secured(page(v, v.t("totpTitle"), totpBody(v)));
    }), { detail: { hide: true } })
    .post("/admin/login/totp", pageOnSystemError(async ({ request, body }: { request: Request; body: unknown }) => {
      const url = new URL(request.url);
      const s = await readSession(deps, cookiesOf(request)[SESSION_COOKIE]);
      if (!s || !s.admin.totpSecret) return secured(redirect("/admin/login"));
      if (s.session.verified) return secured(redirect("/admin"));
      const v = await viewFor(request, url, "live", null, s.session.csrfToken);
      const form = (body ?? {}) as Body;
      if (!sameToken(form._csrf, s.session.csrfToken)) return secured(page(v, v.t("totpTitle"), totpBody(v, v.t("csrfFailed")), { status: 403 }));
      const ctx = contextOf(request);
      const from = { ip: ctx.ip, userAgent: ctx.userAgent };
      // Wrong codes count towards the same lockout as wrong passwords: six digits are no secret against unlimited tries.
      const r = await checkTotpCode(deps, from, s.admin, str(form.code).trim());
      if (!r.ok) return secured(page(v, v.t("totpTitle"), totpBody(v, r.locked ? v.t("loginLocked", { seconds: r.retryAfterSeconds ?? 60 }) : v.t("totpFailed")), { status: r.locked ? 429 : 401 }));
      await markVerified(deps, s.session);
      await transaction(deps.db, (tx) => recordAction(tx, deps.clock, { actor: s.admin.email, ...from }, { action: "login", data: { totp: true } }));
      return secured(redirect("/admin"));
    }), { detail: { hide: true } })
    .post("/admin/logout", guarded(async (c) => {
      await endSession(deps, c.session);
      await c.record("logout");
      return new Response(null, { status: 303, headers: { location: "/admin/login", "set-cookie": sessionCookie(deps.config, null) } });
    }), { detail: { hide: true } })

    .get("/admin", show("dashboardTitle", (c) => dashboardBody(deps, c.v)), { detail: { hide: true } })
    .get("/admin/envelopes", show("envelopesTitle", (c) => envelopesBody(deps, c.v)), { detail: { hide: true } })
    .get("/admin/envelopes/:id", guarded(async (c) => {
      const e = await getEnvelope(deps, { environment: c.env, envelopeId: c.params.id! });
      return page(c.v, e.subject, await envelopeBody(deps, c.v, e, doneNotice(c)));
    }), { detail: { hide: true } })
    .get("/admin/envelopes/:id/signed-document", guarded(async (c) => {
      const { file, filename } = await (await sealingService()).signedDocumentFile(deps, c.env, c.params.id!, undefined, { sealIfPending: true });
      await c.record("envelope.signed_document_downloaded", c.params.id);
      return pdfResponse(file, filename);
    }), { detail: { hide: true } })
    .get("/admin/envelopes/:id/audit-trail", guarded(async (c) => {
      const pdf = await (await sealingService()).auditTrail(deps, c.env, c.params.id!);
      await c.record("envelope.audit_trail_downloaded", c.params.id);
      return pdfResponse(pdf.bytes, pdf.filename);
    }), { detail: { hide: true } })
    .post("/admin/envelopes/:id/void", guarded(async (c) => {
      const reason = str(c.body.reason).trim().slice(0, 500);
      if (!reason) throw new AppError("validation_failed", "Give a reason");
      const e = await getEnvelope(deps, { environment: c.env, envelopeId: c.params.id! });
      // Only a sent envelope is voided here; deleteEnvelope would delete a draft.
      if (e.status !== "SENT") throw new AppError("envelope_ended", `Envelope ${e.id} is ${e.status}: only a SENT envelope can be voided`);
      await deleteEnvelope(deps, { environment: c.env, who: c.actor, envelopeId: e.id, reason });
      await c.record("envelope.voided", e.id, { reason });
      return done(`/admin/envelopes/${e.id}`);
    }), { detail: { hide: true } })
    .post("/admin/envelopes/:id/recipients/:recipientId/resend", guarded((c) => remind(c, "invitation")), { detail: { hide: true } })
    .post("/admin/envelopes/:id/recipients/:recipientId/remind", guarded((c) => remind(c, "reminder")), { detail: { hide: true } })
    .post("/admin/envelopes/:id/purge", guarded(async (c) => {
      await purgeEnvelope(deps, { environment: c.env, who: c.actor, envelopeId: c.params.id!, reason: "request" });
      await c.record("envelope.purged", c.params.id);
      return done("/admin/envelopes");
    }), { detail: { hide: true } })
    .post("/admin/envelopes/:id/retry-seal", guarded(async (c) => {
      await retrySeal(deps, c.env, c.actor, c.params.id!);
      await c.record("envelope.seal_retried", c.params.id);
      return done(`/admin/envelopes/${c.params.id}`);
    }), { detail: { hide: true } })

    .get("/admin/documents", show("documentsTitle", (c) => documentsBody(deps, c.v)), { detail: { hide: true } })

    .get("/admin/keys", show("keysTitle", (c) => keysBody(deps, c.v)), { detail: { hide: true } })
    .post("/admin/keys", guarded(async (c) => {
      const name = str(c.body.name).trim().slice(0, 100);
      const environment: Environment | null = c.body.environment === "live" || c.body.environment === "test" ? c.body.environment : null;
      const scopes = SCOPES.filter((sc) => c.body[`scope_${sc}`] === "on");
      if (!name || !environment || !scopes.length) throw new AppError("validation_failed", "A key needs a name, an environment (test or live) and at least one scope");
      const { key, secret } = await createKey(deps.db, deps.clock, { environment, name, scopes });
      await c.record("key.created", key.id, { name, environment, scopes });
      return page(c.v, c.v.t("keysTitle"), await keysBody(deps, c.v, { id: key.id, secret }), { status: 201 });
    }), { detail: { hide: true } })
    .post("/admin/keys/:id/revoke", guarded(async (c) => {
      const key = await revokeKey(deps.db, deps.clock, c.params.id!, c.env);
      // This process's key cache, so the very next API request with the key fails.
      keys.invalidate();
      await c.record("key.revoked", key.id, { name: key.name });
      return done("/admin/keys");
    }), { detail: { hide: true } })

    .get("/admin/webhooks", show("webhooksTitle", (c) => webhooksBody(deps, c.v)), { detail: { hide: true } })
    .get("/admin/webhooks/:id", guarded(async (c) => page(c.v, c.v.t("webhooksTitle"), await webhookBody(deps, c.v, c.params.id!, doneNotice(c)))), { detail: { hide: true } })
    .post("/admin/webhooks/:id/enable", guarded(async (c) => {
      await updateWebhook(deps, c.env, c.params.id!, { enabled: true });
      await c.record("webhook.enabled", c.params.id);
      return done(`/admin/webhooks/${c.params.id}`);
    }), { detail: { hide: true } })
    .post("/admin/webhooks/:id/deliveries/:deliveryId/resend", guarded(async (c) => {
      const d = await resendDelivery(deps, c.env, c.params.id!, c.params.deliveryId!);
      await c.record("webhook.delivery_resent", d.id, { resendOf: c.params.deliveryId, webhookId: c.params.id });
      return done(`/admin/webhooks/${c.params.id}`);
    }), { detail: { hide: true } })

    .get("/admin/failures", show("failuresTitle", (c) => {
      const retried = c.url.searchParams.get("retried");
      return failuresBody(deps, c.v, retried !== null ? c.v.t("retriedCount", { count: Number(retried) || 0 }) : doneNotice(c));
    }), { detail: { hide: true } })
    .post("/admin/failures/messages/retry", guarded(async (c) => {
      const count = await retryFailedJobs(deps, await allFailedMessageIds(deps.db, c.env));
      await c.record("jobs.retried", null, { count });
      return redirect(`/admin/failures?retried=${count}`);
    }), { detail: { hide: true } })
    .post("/admin/failures/seals/retry", guarded(async (c) => {
      const count = await retrySeals(deps, c.env, c.actor, await allFailedSealIds(deps.db, c.env));
      await c.record("envelopes.seal_retried", null, { count });
      return redirect(`/admin/failures?retried=${count}`);
    }), { detail: { hide: true } })
    .post("/admin/failures/jobs/:id/retry", guarded(async (c) => {
      await retryFailedJob(deps, c.params.id!);
      await c.record("job.retried", c.params.id);
      return done("/admin/failures");
    }), { detail: { hide: true } })

    .get("/admin/settings", show("settingsTitle", (c) => settingsBody(deps, c.v, c.admin.email)), { detail: { hide: true } })
    .post("/admin/settings/test-email", guarded(async (c) => {
      const to = str(c.body.to).trim();
      // Else the outbox folder (no SMTP) writes a message to nobody, and the page says it was sent.
      if (!isEmail(to)) throw new AppError("validation_failed", "to: not an e-mail address");
      let message: { text: string; kind: "ok" | "error" };
      try {
        await deps.mailer.send({ to, subject: "Certyneo test e-mail", text: `This test e-mail was sent from the Certyneo console by ${c.admin.email}.`, html: `<p>This test e-mail was sent from the Certyneo console by ${Bun.escapeHTML(c.admin.email)}.</p>` });
        message = { text: c.v.t("testEmailSent", { to }), kind: "ok" };
      } catch (e) {
        message = { text: c.v.t("testEmailFailed", { error: (e as Error).message }), kind: "error" };
      }
      await c.record("settings.test_email", to, { ok: message.kind === "ok" });
      return page(c.v, c.v.t("settingsTitle"), await settingsBody(deps, c.v, c.admin.email, message), { status: message.kind === "ok" ? 200 : 502 });
    }), { detail: { hide: true } })

    .get("/admin/backup", guarded(async (c) => {
      // Written inside the data directory (mode 0700), opened, then unlinked: the open stream
      // still reads it, and no copy of the instance key is left behind, even if the download stops.
      const tmp = join(deps.config.dataDir, `.download-${crypto.randomUUID()}.tar.gz`);
      // The archive writer and Node's streams load on the first download, not at start.
      const [{ createBackup }, { once }, { Readable }] = await Promise.all([import("../../ops/backup"), import("node:events"), import("node:stream")]);
      const m = await createBackup(deps, tmp);
      const stream = createReadStream(tmp);
      await once(stream, "open");
      unlinkSync(tmp);
      await c.record("backup.downloaded", null, { files: m.files, bytes: m.bytes });
      const name = `certyneo-backup-${m.createdAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.tar.gz`;
      return new Response(Readable.toWeb(stream) as unknown as ReadableStream, {
        headers: { "content-type": "application/gzip", "content-length": String(m.bytes), "content-disposition": `attachment; filename="${name}"` },
      });
    }), { detail: { hide: true } })
    .get("/admin/assets/brand.css", async () => secured(new Response(`:root { --brand: ${(await getBranding(deps.db)).accentColor}; }\n`, { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" } })), { detail: { hide: true } })
    .get("/admin/branding", show("brandingTitle", (c) => brandingBody(deps, c.v, c.url.searchParams.get("done") ? { text: c.v.t("saved"), kind: "ok" } : undefined)), { detail: { hide: true } })
    .post("/admin/branding", guarded(async (c) => {
      const file = c.body.logo instanceof File && c.body.logo.size > 0 ? new Uint8Array(await c.body.logo.arrayBuffer()) : undefined;
      const text = {
        organisationName: str(c.body.organisationName), accentColor: str(c.body.accentColor), fromName: str(c.body.fromName),
        fromAddress: str(c.body.fromAddress), replyTo: str(c.body.replyTo),
      };
      try {
        await saveBranding(deps, c.who, { ...text, logo: c.body.removeLogo === "on" ? null : file });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return page(c.v, c.v.t("brandingTitle"), await brandingBody(deps, c.v, { text: e.message, kind: "error" }, text), { status: e.status });
      }
      return done("/admin/branding");
    }), { detail: { hide: true } })
    .get("/admin/activity", show("activityTitle", (c) => activityBody(deps, c.v)), { detail: { hide: true } });
}
