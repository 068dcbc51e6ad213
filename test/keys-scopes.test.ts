import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseScopes } from "../src/modules/keys/scopes";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

/** A key made through the API by `creator` with the given body; returns the created key's JSON. */
async function mint(creator: string, body: Record<string, unknown>) {
  const res = await s.api("/api/v1/keys", { method: "POST", key: creator, json: { name: "minted", ...body } });
  return { status: res.status, body: await res.json() };
}

describe("API key scopes", () => {
  test("a key made through the API without scopes gets the work scopes, not key management", async () => {
    const full = await s.key("test", "admin");
    const made = await mint(full, {});
    expect(made.status).toBe(201);
    expect(made.body.scopes.sort()).toEqual(["envelopes", "webhooks"]);

    const work = made.body.key;
    expect((await s.api("/api/v1/documents", { key: work })).status).toBe(200);
    expect((await s.api("/api/v1/webhooks", { key: work })).status).toBe(200);
    for (const [method, path] of [["GET", "/api/v1/keys"], ["POST", "/api/v1/keys"], ["DELETE", "/api/v1/keys/key_whatever"]] as const) {
      const res = await s.api(path, { method, key: work, ...(method === "POST" ? { json: { name: "x" } } : {}) });
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toStartWith("application/problem+json");
      const problem = await res.json();
      expect(problem.code).toBe("forbidden");
      expect(problem.detail).toContain('"keys"');
    }
  });

  test("a leaked work key cannot revoke other keys nor mint a key that outlives it", async () => {
    const full = await s.key("test", "admin");
    const work = (await mint(full, { scopes: ["envelopes"] })).body;
    const other = (await mint(full, { name: "other" })).body;
    expect((await s.api(`/api/v1/keys/${other.id}`, { method: "DELETE", key: work.key })).status).toBe(403);
    expect((await s.api("/api/v1/documents", { key: other.key })).status).toBe(200);
    expect((await s.api("/api/v1/keys", { method: "POST", key: work.key, json: { name: "escape" } })).status).toBe(403);
  });

  test("a key grants at most its own scopes", async () => {
    const full = await s.key("test", "admin");
    const manager = (await mint(full, { scopes: ["keys", "envelopes"] })).body;
    expect(manager.scopes.sort()).toEqual(["envelopes", "keys"]);
    const escalate = await mint(manager.key, { scopes: ["webhooks"] });
    expect(escalate.status).toBe(403);
    expect(escalate.body.detail).toContain('"webhooks"');
    const narrower = await mint(manager.key, { scopes: ["envelopes"] });
    expect(narrower.status).toBe(201);
    expect(narrower.body.scopes).toEqual(["envelopes"]);
    const webhooksOnly = (await mint(full, { scopes: ["webhooks"] })).body;
    expect((await s.api("/api/v1/envelopes", { key: webhooksOnly.key })).status).toBe(403);
    expect((await s.api("/api/v1/webhooks", { key: webhooksOnly.key })).status).toBe(200);
  });

  test("an unknown scope is a 422 naming the field", async () => {
    const res = await mint(await s.key("test", "admin"), { scopes: ["everything"] });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.errors)).toContain("/scopes/0");
  });

  test("GET /keys shows each key's scopes; keys made by the operator hold them all", async () => {
    const full = await s.key("test", "operator");
    const listed = (await (await s.api("/api/v1/keys", { key: full })).json()).data;
    const operator = listed.find((k: { name: string }) => k.name === "operator");
    expect(operator.scopes.sort()).toEqual(["envelopes", "keys", "webhooks"]);
  });

  test("the OpenAPI document declares scopes and the 403", async () => {
    const doc = await (await fetch(`${s.url}/openapi.json`)).json();
    const text = JSON.stringify(doc.paths["/api/v1/keys"].post);
    expect(text).toContain("scopes");
    expect(doc.paths["/api/v1/envelopes"].get.responses["403"]).toBeDefined();
  });

  test("the CLI's --scopes list is checked", () => {
    expect(parseScopes("envelopes, keys,envelopes")).toEqual({ scopes: ["envelopes", "keys"], unknown: [] });
    expect(parseScopes("envelopes,root").unknown).toEqual(["root"]);
  });
});
