/**
 * The security sweep: every route of the app, read from its own route table, called with every
 * kind of wrong credential. No key, a malformed or revoked key, a signing token as a key: 401.
 * The other environment's key, another envelope's signing token: 404. Console pages without a
 * live admin session: a redirect to the login (or 403 for the login form without its CSRF
 * token). Never data, never a 5xx.
 *
 * A route added later is swept without anyone remembering it. A route the sweep cannot classify
 * (public, signing token, API key) or whose path parameters it cannot fill fails here until
 * PUBLIC below or the fixtures' `params` say what it is.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { signingToken } from "../src/modules/signing/token";
import { complete, createEnvelope, pngDataUrl, post, quickStart, sendEnvelope, startEnvelopeServer, tokenOf, uploadDoc } from "./helpers/envelopes";
import { startWebhookReceiver } from "./helpers/webhook-receiver";

// The sweep calls every route many times from one address: the rate limits (tested elsewhere) stay out of its way.
const s = await startEnvelopeServer({ CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8", CERTYNEO_RATE_LIMIT_ANONYMOUS_BURST: "100000", CERTYNEO_RATE_LIMIT_TOKEN_BURST: "100000" });
const rx = startWebhookReceiver();
afterAll(async () => {
  await s.stop();
  await rx.stop();
});

/** Routes anyone may call: documents and static pages that carry no data of any environment. */
const PUBLIC: RegExp[] = [
  /^GET \/healthz$/,
  /^GET \/openapi\.json$/,
  /^GET \/openapi-3\.0\.json$/,
  /^GET \/docs(\/.*)?$/,
  // The signer page is the same static HTML for every token; its data comes through the signing API.
  /^GET \/s\/:token$/,
  /^GET \/s\/assets\/\*$/,
  // The console's login form, its language switch (a cookie and a redirect within the console) and its static assets.
  /^GET \/admin\/login$/,
  /^GET \/admin\/language$/,
  /^GET \/admin\/assets\/(admin\.css|admin\.js|brand\.css)$/,
  // An address under /admin that names no page: the console's "Not found" page, the same for everyone.
  /^GET \/admin\/\*$/,
  // The organisation's logo (or Certyneo's mark): shown on the login page and in e-mails.
  /^GET \/branding\/logo$/,
  // The public verification page: it reports on the PDF it is given and stores nothing.
  /^(GET|POST) \/verify$/,
  /^GET \/verify\/verify\.css$/,
];
/** The admin console: its session cookie is the credential. */
const SESSION_ROUTE = /^\/admin(\/|$)/;
/** The signing ceremony's API: its token is the credential, no API key. */
const TOKEN_ROUTE = /^\/api\/v1\/signing\/:token(\/|$)/;
/** Every other API route needs a key. */
const KEY_ROUTE = /^\/api\/v1\//;

type Access = "public" | "token" | "key" | "session";
interface Route { method: string; path: string; name: string; access: Access; body?: TSchema }

function classify(method: string, path: string, body?: TSchema): Route {
  const name = `${method} ${path}`;
  const access: Access | null = PUBLIC.some((p) => p.test(name)) ? "public" : TOKEN_ROUTE.test(path) ? "token" : KEY_ROUTE.test(path) ? "key" : SESSION_ROUTE.test(path) ? "session" : null;
  if (!access) throw new Error(`${name}: the sweep cannot classify this route; add it to PUBLIC (no data in it) or put it under /api/v1`);
  return { method, path, name, access, body };
}

const routes = s.running.app.elysia.routes.map((r) => ({ method: r.method, path: r.path, body: (r.hooks as { body?: TSchema }).body }));

/** What the sweep runs against: two sent envelopes, a draft, a webhook with a delivery, keys. */
interface Fixtures {
  /** Path parameter values by "segment/:param"; signing/:token is envelope B's recipient. */
  params: Record<string, string>;
  /** Envelope A's document, which envelope B's token must not reach. */
  docA: string;
  tokenA: string;
  draftToken: string;
  liveKey: string;
  revokedKey: string;
  /** Strings only the fixtures' own environment may see. */
  data: string[];
  /** Ids of the fixtures, which no list of the other environment may show. */
  ids: string[];
}
let fx: Fixtures;

beforeAll(async () => {
  const hook = await post(s, "/api/v1/webhooks", { url: rx.url("/sweep"), description: "sweep hook" });
  expect(hook.status).toBe(201);
  rx.expect("/sweep", hook.body.secret);
  const docA = await uploadDoc(s, { name: "sweep-a.pdf" });
  const docB = await uploadDoc(s, { name: "sweep-b.pdf" });
  const envA = await sendEnvelope(s, (await createEnvelope(s, quickStart([docA.id], [{ email: "sweep-a@example.com", name: "Sweep Signer A" }], { subject: "Sweep subject A" }))).id);
  const envB = await sendEnvelope(s, (await createEnvelope(s, quickStart([docB.id], [
    { email: "sweep-b@example.com", name: "Sweep Signer B" },
    { email: "sweep-b2@example.com", name: "Sweep Drawer B" },
  ], { subject: "Sweep subject B" }))).id);
  // The second signer of B signs with a drawn signature: B's first signer sees it (…/signatures/{recipientId}).
  expect((await complete(s, tokenOf(envB.recipients[1].signUrl), { signature: { type: "drawn", value: pngDataUrl() }, consent: true })).status).toBe(200);
  const draft = await createEnvelope(s, quickStart([docA.id], [{ email: "sweep-draft@example.com", name: "Sweep Draft" }], { subject: "Sweep draft" }));
  const deliveries = (await (await s.api(`/api/v1/webhooks/${hook.body.id}/deliveries`)).json()) as { data: { id: string }[] };
  expect(deliveries.data.length).toBeGreaterThan(0);
  const template = await post(s, "/api/v1/templates", { name: "Sweep template", subject: "Sweep subject T", documentIds: [docA.id], roles: [{ roleName: "Signer" }] });
  expect(template.status).toBe(201);
  const batch = await post(s, `/api/v1/templates/${template.body.id}/bulk-send`, { rows: [{ recipients: [{ roleName: "Signer", name: "Sweep Bulk", email: "sweep-bulk@example.com" }] }] });
  expect(batch.status).toBe(202);
  const victim = await post(s, "/api/v1/keys", { name: "sweep victim" });
  const revoked = await post(s, "/api/v1/keys", { name: "sweep revoked" });
  expect((await s.api(`/api/v1/keys/${revoked.body.id}`, { method: "DELETE" })).status).toBe(200);
  fx = {
    params: {
      "documents/:id": docA.id,
      "envelopes/:id": envA.id,
      "recipients/:recipientId": envA.recipients[0].id,
      "templates/:id": template.body.id,
      "batches/:id": batch.body.id,
      "keys/:id": victim.body.id,
      "webhooks/:id": hook.body.id,
      "deliveries/:deliveryId": deliveries.data[0]!.id,
      "signing/:token": tokenOf(envB.recipients[0].signUrl),
      "documents/:documentId": docB.id,
      "signatures/:recipientId": envB.recipients[1].id,
      "s/:token": tokenOf(envB.recipients[0].signUrl),
      "assets/*": "signer.js",
      "admin/*": "no-such-page",
      "jobs/:id": (s.deps.db.$client.query("SELECT id FROM jobs LIMIT 1").get() as { id: string }).id,
    },
    docA: docA.id,
    tokenA: tokenOf(envA.recipients[0].signUrl),
    draftToken: signingToken(s.deps.secret, draft.recipients[0].id),
    liveKey: await s.key("live", "sweep live"),
    revokedKey: revoked.body.key,
    data: [docA.sha256, docB.sha256, "Sweep subject", "sweep-a@example.com", "sweep-b@example.com", "Sweep Signer", rx.url("/sweep"), hook.body.secret, "sweep victim"],
    ids: [docA.id, docB.id, envA.id, envB.id, draft.id, hook.body.id, victim.body.id, template.body.id, batch.body.id],
  };
});

/** The route's path with its parameters filled from the fixtures; `override` replaces some. */
function fill(route: Route, override: Record<string, string> = {}): string {
  return route.path.replace(/([^/]+)\/(:\w+|\*)/g, (_, segment: string, param: string) => {
    const key = `${segment}/${param}`;
    const value = override[key] ?? fx.params[key];
    if (value === undefined) throw new Error(`${route.name}: the sweep has no value for "${key}"; add a fixture to fx.params`);
    return `${segment}/${encodeURIComponent(value)}`;
  });
}

const hasParams = (route: Route) => /\/(:\w+|\*)/.test(route.path);
const WITH_BODY = new Set(["POST", "PATCH", "PUT"]);

/**
 * One request as a client would send it. Methods that take a body get the smallest one the
 * route's schema accepts, so a refusal comes from the credential, not from validation.
 */
async function call(route: Route, path: string, headers: Record<string, string> = {}) {
  const init: RequestInit = { method: route.method, headers: { ...headers } };
  if (WITH_BODY.has(route.method)) {
    init.body = JSON.stringify(route.body ? Value.Create(route.body) : {});
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(s.url + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, label: `${route.method} ${path}` };
}

type Answer = Awaited<ReturnType<typeof call>>;

/** Refusals and public pages carry none of the fixtures' data, and nothing is a server error. */
function expectNoData(a: Answer, also: string[] = []) {
  expect(a.status, a.label).toBeLessThan(500);
  for (const secret of [...fx.data, ...also]) expect(a.text, `${a.label} leaks "${secret}"`).not.toContain(secret);
}

function expectProblem(a: Answer, status: number, code: string, what = "") {
  const label = what ? `${a.label} (${what})` : a.label;
  expect(a.status, label).toBe(status);
  expect(a.headers.get("content-type"), label).toBe("application/problem+json");
  expect(JSON.parse(a.text).code, label).toBe(code);
  expectNoData(a);
}

/** Every credential that is not a valid key of the fixtures' environment. */
const badCredentials = (): [string, Record<string, string>][] => [
  ["no key", {}],
  ["Basic auth", { authorization: "Basic dXNlcjpwYXNz" }],
  ["malformed key", { authorization: "Bearer not-a-key" }],
  ["empty bearer", { authorization: "Bearer " }],
  ["unknown key", { authorization: `Bearer sk_test_${"A".repeat(43)}` }],
  ["revoked key", { authorization: `Bearer ${fx.revokedKey}` }],
  ["a signing token as the key", { authorization: `Bearer ${fx.params["signing/:token"]}` }],
];

const swept = routes.map((r) => ({ ...r, route: (() => { try { return classify(r.method, r.path, r.body); } catch (e) { return e as Error; } })() }));

describe("the route table", () => {
  test("every route is classified", () => {
    const unknown = swept.filter((r) => r.route instanceof Error).map((r) => (r.route as Error).message);
    expect(unknown).toEqual([]);
  });

  test("every public pattern still matches a route", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of PUBLIC) expect(names.some((n) => p.test(n)), String(p)).toBe(true);
  });

  test("all four kinds of route are there", () => {
    const kinds = new Set(swept.flatMap((r) => (r.route instanceof Error ? [] : [r.route.access])));
    expect([...kinds].sort()).toEqual(["key", "public", "session", "token"]);
  });
});

const byAccess = (access: Access) => swept.flatMap((r) => (r.route instanceof Error || r.route.access !== access ? [] : [r.route]));

describe("routes behind an API key", () => {
  for (const route of byAccess("key")) {
    test(`${route.name}: 401 without a valid key; the other environment's key finds nothing`, async () => {
      const path = fill(route);
      for (const [what, headers] of badCredentials()) {
        const a = await call(route, path, headers);
        expectProblem(a, 401, "unauthorized", what);
        expect(a.headers.get("www-authenticate"), `${a.label} (${what})`).toStartWith("Bearer");
      }
      const live = await call(route, path, { authorization: `Bearer ${fx.liveKey}` });
      if (hasParams(route)) {
        expectProblem(live, 404, "not_found");
        // The same read with the fixtures' own key finds them: the 404 above is the environment's doing.
        if (route.method === "GET") {
          const own = await call(route, path, { authorization: `Bearer ${await s.key()}` });
          expect(own.status, own.label).not.toBe(404);
          expect(own.status, own.label).toBeLessThan(500);
        }
      } else {
        // A collection: the other environment's lists and answers show nothing of this one.
        expectNoData(live, route.method === "GET" ? fx.ids : []);
        expect(live.status, live.label).not.toBe(401);
      }
    });

    if (hasParams(route)) {
      test(`${route.name}: 404 for ids that do not exist`, async () => {
        const unknown = Object.fromEntries(Object.entries(fx.params).map(([k, v]) => [k, v.replace(/_[0-9a-z]+$/, (m) => "_" + "0".repeat(m.length - 1))]));
        const a = await call(route, fill(route, unknown), { authorization: `Bearer ${await s.key()}` });
        expectProblem(a, 404, "not_found");
      });
    }
  }

  test("the fixtures survived the sweep: nothing was deleted, sent, revoked or changed", async () => {
    const get = async (path: string) => {
      const res = await s.api(path);
      expect(res.status, path).toBe(200);
      return (await res.json()) as any;
    };
    expect((await get(`/api/v1/documents/${fx.params["documents/:id"]}`)).id).toBe(fx.docA);
    const env = await get(`/api/v1/envelopes/${fx.params["envelopes/:id"]}`);
    expect(env).toMatchObject({ status: "SENT", subject: "Sweep subject A" });
    expect((await get(`/api/v1/webhooks/${fx.params["webhooks/:id"]}`)).enabled).toBe(true);
    const keys = await get("/api/v1/keys?limit=100");
    expect(keys.data.find((k: any) => k.id === fx.params["keys/:id"]).revokedAt).toBeNull();
  });
});

describe("routes behind a signing token", () => {
  for (const route of byAccess("token")) {
    test(`${route.name}: 404 for an unknown, malformed, draft or other envelope's token, with or without an API key`, async () => {
      const tokens: [string, string][] = [
        ["unknown token", "A".repeat(43)],
        ["malformed token", "not-a-token"],
        ["a draft's token", fx.draftToken],
        ["an API key as the token", fx.liveKey],
      ];
      for (const [what, token] of tokens) {
        for (const headers of [{}, { authorization: `Bearer ${await s.key()}` }] as Record<string, string>[]) {
          expectProblem(await call(route, fill(route, { "signing/:token": token }), headers), 404, "not_found", what);
        }
      }
      // The real token is known here: the 404s above are the token's doing.
      if (route.method === "GET") {
        const own = await call(route, fill(route));
        expect(own.status, own.label).not.toBe(404);
        expect(own.status, own.label).toBeLessThan(500);
      }
      // Another envelope's token does not reach this envelope's documents.
      if (route.path.includes(":documentId")) {
        expectProblem(await call(route, fill(route, { "documents/:documentId": fx.docA })), 404, "not_found", "envelope B's token, envelope A's document");
        const own = await call(route, fill(route, { "signing/:token": fx.tokenA, "documents/:documentId": fx.docA }));
        expect(own.status, own.label).toBe(200);
      }
    });
  }
});

describe("console routes behind an admin session", () => {
  for (const route of byAccess("session")) {
    test(`${route.name}: no session, a forged one or an API key: to the login, no data`, async () => {
      const path = fill(route);
      const attempts: [string, Record<string, string>][] = [
        ["no cookie", {}],
        ["a forged session cookie", { cookie: `certyneo_admin=${"A".repeat(43)}` }],
        ["an API key as the session", { cookie: `certyneo_admin=${fx.liveKey}` }],
        ["an API key", { authorization: `Bearer ${await s.key()}` }],
      ];
      for (const [what, headers] of attempts) {
        const res = await fetch(s.url + path, { method: route.method, headers, redirect: "manual" });
        const text = await res.text();
        const label = `${route.name} (${what})`;
        if (route.name === "POST /admin/login") expect(res.status, label).toBe(403);
        else {
          expect(res.status, label).toBe(303);
          expect(res.headers.get("location"), label).toStartWith("/admin/login");
        }
        for (const secret of [...fx.data, ...fx.ids]) expect(text, `${label} leaks "${secret}"`).not.toContain(secret);
      }
    });
  }
});

describe("public routes", () => {
  for (const route of byAccess("public")) {
    test(`${route.name}: answers without a key and shows no data`, async () => {
      const a = await call(route, fill(route));
      // A public form posted empty is refused for its content (4xx), never for a missing key.
      if (route.method === "GET") expect(a.status, a.label).toBe(route.path === "/admin/*" ? 404 : 200);
      else expect([400, 413, 415, 422], a.label).toContain(a.status);
      expectNoData(a, fx.ids);
      if (route.path.includes(":token")) {
        // The same page whatever the token: nothing in it depends on the envelope.
        const unknown = await call(route, fill(route, { "s/:token": "A".repeat(43) }));
        expect(unknown.text).toBe(a.text);
      }
    });
  }
});
