import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { auth, authMismatches } from "../src/http/auth";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

describe("authentication declared on the route", () => {
  test("a route reading the principal must declare auth (checked by tsc in typecheck.test.ts)", () => {
    const declared = new Elysia().use(auth).get("/api/v1/a", ({ principal }) => principal.environment, { auth: "envelopes" });
    // @ts-expect-error `principal` exists only on routes that declare `auth`
    const forgot = new Elysia().use(auth).get("/api/v1/b", ({ principal }) => principal.environment);
    expect(declared.routes).toHaveLength(1);
    expect(forgot.routes).toHaveLength(1);
  });

  test("a declaration that disagrees with the pipeline's URL rule is reported, both ways", () => {
    const app = new Elysia()
      .use(auth)
      .get("/api/v1/forgotten", () => "data")
      .get("/api/v1/declared", ({ principal }) => principal.keyId, { auth: "envelopes" })
      .get("/api/v1/signing/:token/extra", ({ principal }) => principal.keyId, { auth: "envelopes" })
      .get("/healthz", () => "ok");
    expect(authMismatches(app.routes).sort()).toEqual(["GET /api/v1/forgotten", "GET /api/v1/signing/:token/extra"]);
  });

  test("the app's own routes all agree with the pipeline", () => {
    const routes = s.running.app.elysia.routes;
    expect(routes.some((r) => r.path === "/api/v1/verify")).toBe(true);
    expect(authMismatches(routes)).toEqual([]);
  });

  test("a request that skips the pipeline is refused by the route itself, never served", async () => {
    const res = await s.running.app.elysia.handle(new Request(`${s.url}/api/v1/documents`));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    expect((await res.json()).code).toBe("unauthorized");
  });

  test("the principal a handler gets is the key's: its environment scopes the data", async () => {
    const live = await s.key("live");
    const created = await (await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/h" }, key: live })).json();
    expect((await s.api(`/api/v1/webhooks/${created.id}`, { key: live })).status).toBe(200);
    expect((await s.api(`/api/v1/webhooks/${created.id}`)).status).toBe(404);
  });
});
