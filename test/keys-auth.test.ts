import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./helpers/server";
import { makePdf } from "./helpers/pdf";

let s: TestServer;
beforeAll(() => { s = startTestServer(); });
afterAll(() => s.stop());

async function upload(key: string) {
  const form = new FormData();
  form.set("file", new File([await makePdf()], "a.pdf", { type: "application/pdf" }));
  return s.api("/api/v1/documents", { method: "POST", body: form, key });
}

describe("authentication", () => {
  test("no key, malformed header, unknown key and revoked key get 401 with WWW-Authenticate", async () => {
    const cases: Record<string, string | undefined> = {
      none: undefined,
      basic: "Basic dXNlcjpwYXNz",
      malformed: "Bearer not-a-key",
      unknown: `Bearer sk_test_${"A".repeat(43)}`,
    };
    for (const [name, header] of Object.entries(cases)) {
      const res = await fetch(`${s.url}/api/v1/documents`, { headers: header ? { authorization: header } : {} });
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate"), name).toStartWith("Bearer");
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).code).toBe("unauthorized");
    }
  });

  test("a revoked key fails on its very next request, through the API", async () => {
    const admin = s.key();
    const created = await (await s.api("/api/v1/keys", { method: "POST", json: { name: "to revoke" }, key: admin })).json();
    expect(created.key).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
    expect((await s.api("/api/v1/documents", { key: created.key })).status).toBe(200);
    const revoked = await s.api(`/api/v1/keys/${created.id}`, { method: "DELETE", key: admin });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).revokedAt).not.toBeNull();
    expect((await s.api("/api/v1/documents", { key: created.key })).status).toBe(401);
  });

  test("a key revoked by another connection (the CLI) fails on its next request", async () => {
    const key = s.key();
    expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    const { Database } = await import("bun:sqlite");
    const other = new Database(`${s.dir}/certyneo.db`);
    other.run("PRAGMA busy_timeout = 5000");
    other.run("UPDATE api_keys SET revoked_at = ? WHERE hash = ?", [Date.now(), new Bun.CryptoHasher("sha256").update(key).digest("hex")]);
    other.close();
    expect((await s.api("/api/v1/documents", { key })).status).toBe(401);
  });

  test("the key list shows no secret or hash, only the prefix, and lastUsedAt is kept", async () => {
    const key = s.key("test", "listed");
    await s.api("/api/v1/documents", { key });
    const list = await (await s.api("/api/v1/keys", { key })).json();
    const me = list.data.find((k: any) => k.prefix === key.slice(0, 12));
    expect(me.name).toBe("listed");
    expect(me.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(key);
    expect(JSON.stringify(list)).not.toContain(new Bun.CryptoHasher("sha256").update(key).digest("hex"));
  });

  test("keys are never logged", async () => {
    const key = s.key();
    await s.api("/api/v1/documents", { key });
    await fetch(`${s.url}/api/v1/documents`, { headers: { authorization: `Bearer ${key}x` } });
    expect(JSON.stringify(s.logs)).not.toContain(key);
  });

  test("a test key cannot mint live keys", async () => {
    const res = await s.api("/api/v1/keys", { method: "POST", json: { name: "x", environment: "live" } });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe("forbidden");
  });
});

describe("environments are isolated", () => {
  test("a live key gets 404 for a test document and never sees it in lists", async () => {
    const testKey = s.key("test");
    const liveKey = s.key("live");
    const doc = await (await upload(testKey)).json();
    expect((await s.api(`/api/v1/documents/${doc.id}`, { key: testKey })).status).toBe(200);
    const other = await s.api(`/api/v1/documents/${doc.id}`, { key: liveKey });
    expect(other.status).toBe(404);
    expect(JSON.stringify(await other.json())).not.toContain(doc.sha256);
    expect((await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE", key: liveKey })).status).toBe(404);
    const list = await (await s.api("/api/v1/documents?limit=100", { key: liveKey })).json();
    expect(list.data.map((d: any) => d.id)).not.toContain(doc.id);
    const keys = await (await s.api("/api/v1/keys", { key: liveKey })).json();
    expect(keys.data.every((k: any) => k.environment === "live")).toBe(true);
  });

  test("a key of the other environment cannot revoke", async () => {
    const testKeyRes = await (await s.api("/api/v1/keys", { method: "POST", json: { name: "t" }, key: s.key("test") })).json();
    const res = await s.api(`/api/v1/keys/${testKeyRes.id}`, { method: "DELETE", key: s.key("live") });
    expect(res.status).toBe(404);
  });
});
