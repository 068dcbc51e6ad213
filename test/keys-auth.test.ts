/**
 * API keys: revocation takes effect at once, lists show no secret, logs show no key, a test key
 * mints no live key. What every route answers to a bad or foreign key: security-sweep.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { PreparedQuery } from "drizzle-orm/bun-sqlite/session";
import { sha256 } from "./helpers/hash";
import type { FakeClock } from "./helpers/clock";
import { makePdf } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

describe("authentication", () => {
  test("a revoked key fails on its very next request, through the API", async () => {
    const admin = await s.key();
    const created = await (await s.api("/api/v1/keys", { method: "POST", json: { name: "to revoke" }, key: admin })).json();
    expect(created.key).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
    expect((await s.api("/api/v1/documents", { key: created.key })).status).toBe(200);
    const revoked = await s.api(`/api/v1/keys/${created.id}`, { method: "DELETE", key: admin });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).revokedAt).toBe(s.clock.now().toISOString());
    expect((await s.api("/api/v1/documents", { key: created.key })).status).toBe(401);
  });

  test("a key revoked by another connection (the CLI) fails within milliseconds", async () => {
    const key = await s.key();
    expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    const other = new Database(`${s.dir}/certyneo.db`);
    other.run("PRAGMA busy_timeout = 5000");
    other.run("UPDATE api_keys SET revoked_at = ? WHERE hash = ?", [Date.now(), sha256(key)]);
    other.close();
    // The server reads the keys' generation (moved by a trigger) at most once a millisecond, so a
    // request in the same instant may still pass.
    const deadline = Date.now() + 2_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await s.api("/api/v1/documents", { key })).status;
      if (status === 200) await Bun.sleep(5);
    }
    expect(status).toBe(401);
  });

  test("writes to other tables, by this process or another, do not make the server read the keys again", async () => {
    const key = await s.key();
    expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    let keyReads = 0;
    const proto = PreparedQuery.prototype as unknown as { all: (...a: unknown[]) => unknown };
    const all = proto.all;
    proto.all = function (this: { query: { sql: string } }, ...a: unknown[]) {
      if (this.query.sql.includes('from "api_keys"')) keyReads++;
      return all.apply(this, a);
    };
    try {
      const upload = await s.api("/api/v1/documents", { method: "POST", json: { name: "a.pdf", contentBase64: Buffer.from(await makePdf()).toString("base64") }, key });
      expect(upload.status).toBe(201);
      const other = new Database(`${s.dir}/certyneo.db`);
      other.run("PRAGMA busy_timeout = 5000");
      other.run("UPDATE documents SET name = name || ''");
      other.close();
      await Bun.sleep(5);
      expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
      expect(keyReads).toBe(0);
    } finally {
      proto.all = all;
    }
  });

  test("the key list shows no secret or hash, only the prefix, and lastUsedAt is kept", async () => {
    const key = await s.key("test", "listed");
    await s.api("/api/v1/documents", { key });
    const list = await (await s.api("/api/v1/keys", { key })).json();
    const me = list.data.find((k: any) => k.prefix === key.slice(0, 12));
    expect(me.name).toBe("listed");
    expect(me.lastUsedAt).toBe(s.clock.now().toISOString());
    // A key verified before is answered from memory; its lastUsedAt is still written once a minute.
    (s.clock as FakeClock).advance(61_000);
    expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    const later = (await (await s.api("/api/v1/keys", { key })).json()).data.find((k: any) => k.prefix === key.slice(0, 12));
    expect(later.lastUsedAt).toBe(s.clock.now().toISOString());
    expect(JSON.stringify(list)).not.toContain(key);
    expect(JSON.stringify(list)).not.toContain(sha256(key));
  });

  test("keys are never logged", async () => {
    const key = await s.key();
    const before = s.logs.length;
    await s.api("/api/v1/documents", { key });
    await fetch(`${s.url}/api/v1/documents`, { headers: { authorization: `Bearer ${key}x` } });
    // Both requests were logged (with the key's id, then without one), and neither shows the key.
    const lines = s.logs.slice(before).filter((l) => l.msg === "request");
    expect(lines.map((l) => l.status)).toEqual([200, 401]);
    expect(JSON.stringify(s.logs)).not.toContain(key);
  });

  test("a test key cannot mint live keys", async () => {
    const res = await s.api("/api/v1/keys", { method: "POST", json: { name: "x", environment: "live" } });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe("forbidden");
  });
});
