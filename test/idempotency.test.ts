/** Idempotency-Key on each database: SQLite, and PostgreSQL where it is installed (several nodes share it). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { count, eq, like } from "drizzle-orm";
import { PURGE_BATCH } from "../src/http/idempotency";
import { documents, idempotencyKeys } from "../src/store/schema";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { makePdf } from "./helpers/pdf";

for (const dialect of ["sqlite", ...(havePostgres ? ["postgres"] : [])]) describe(`on ${dialect}`, () => {
let s: TestServer;
// Periodic work runs only when a test drains it: a poll of the runner's own between a test's
// inserts and its drain purged a second batch of the backlog below.
beforeAll(async () => { s = await startTestServer({ postgres: dialect === "postgres", env: { CERTYNEO_JOBS_POLL_MS: "60000" } }); });
afterAll(() => s?.stop());

const docCount = async () => (await s.deps.db.select({ n: count() }).from(documents))[0]!.n;
const stored = (key: string) => s.deps.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));

describe("Idempotency-Key", () => {
  test("a retry with the same key and request replays the first response without doing the work again", async () => {
    const body = { name: "once.pdf", contentBase64: Buffer.from(await makePdf()).toString("base64") };
    const before = await docCount();
    const first = await s.api("/api/v1/documents", { method: "POST", json: body, headers: { "idempotency-key": "upload-1" } });
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const retry = await s.api("/api/v1/documents", { method: "POST", json: body, headers: { "idempotency-key": "upload-1" } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(firstBody);
    expect(await docCount()).toBe(before + 1);
  });

  test("the same key with a different request is refused with its own code", async () => {
    const a = { name: "a.pdf", contentBase64: Buffer.from(await makePdf(1, "a")).toString("base64") };
    const b = { name: "b.pdf", contentBase64: Buffer.from(await makePdf(1, "b")).toString("base64") };
    expect((await s.api("/api/v1/documents", { method: "POST", json: a, headers: { "idempotency-key": "k2" } })).status).toBe(201);
    const res = await s.api("/api/v1/documents", { method: "POST", json: b, headers: { "idempotency-key": "k2" } });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe("idempotency_key_reused");
  });

  test("a retry while the first request still runs gets 409", async () => {
    const big = Buffer.from(await makePdf(400)).toString("base64");
    const json = { name: "slow.pdf", contentBase64: big };
    const [r1, r2] = await Promise.all([
      s.api("/api/v1/documents", { method: "POST", json, headers: { "idempotency-key": "k3" } }),
      (async () => {
        await Bun.sleep(5);
        return s.api("/api/v1/documents", { method: "POST", json, headers: { "idempotency-key": "k3" } });
      })(),
    ]);
    const statuses = [r1.status, r2.status].sort();
    expect(statuses).toEqual([201, 409]);
    const conflict = r1.status === 409 ? r1 : r2;
    expect((await conflict.json()).code).toBe("idempotency_in_progress");
  });

  test("keys are scoped per environment, failed validation is replayed, and replays expire after 24 h", async () => {
    const live = await s.key("live");
    const json = { name: "e.pdf", contentBase64: Buffer.from(await makePdf(1, "env")).toString("base64") };
    expect((await s.api("/api/v1/documents", { method: "POST", json, headers: { "idempotency-key": "shared" } })).status).toBe(201);
    const inLive = await s.api("/api/v1/documents", { method: "POST", json, key: live, headers: { "idempotency-key": "shared" } });
    expect(inLive.status).toBe(201);
    expect(inLive.headers.get("idempotent-replayed")).toBeNull();

    const before = await docCount();
    (s.clock as any).advance(24 * 3600_000 + 1000);
    const after = await s.api("/api/v1/documents", { method: "POST", json, headers: { "idempotency-key": "shared" } });
    expect(after.status).toBe(201);
    expect(after.headers.get("idempotent-replayed")).toBeNull();
    expect(await docCount()).toBe(before + 1);
  });

  test("a bad key is rejected", async () => {
    const res = await s.api("/api/v1/documents", { method: "POST", json: {}, headers: { "idempotency-key": "x".repeat(300) } });
    expect(res.status).toBe(400);
  });
});

describe("Idempotency-Key, more", () => {
  test("a multipart retry with a new boundary is the same request", async () => {
    const pdf = await makePdf(1, "multipart retry");
    const form = () => {
      const f = new FormData();
      f.set("file", new File([pdf], "m.pdf"));
      return f;
    };
    const first = await s.api("/api/v1/documents", { method: "POST", body: form(), headers: { "idempotency-key": "mp-1" } });
    expect(first.status).toBe(201);
    const retry = await s.api("/api/v1/documents", { method: "POST", body: form(), headers: { "idempotency-key": "mp-1" } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await retry.json()).id).toBe((await first.json()).id);
    const other = new FormData();
    other.set("file", new File([await makePdf(1, "another")], "m.pdf"));
    expect((await s.api("/api/v1/documents", { method: "POST", body: other, headers: { "idempotency-key": "mp-1" } })).status).toBe(422);
  });

  test("secrets shown once are not stored for replays: a replayed key creation has key: null", async () => {
    const first = await s.api("/api/v1/keys", { method: "POST", json: { name: "once" }, headers: { "idempotency-key": "key-1" } });
    const created = await first.json();
    expect(created.key).toStartWith("sk_test_");
    const [row] = await stored("key-1");
    expect(row!.responseBody).not.toContain(created.key);
    const replay = await (await s.api("/api/v1/keys", { method: "POST", json: { name: "once" }, headers: { "idempotency-key": "key-1" } })).json();
    expect(replay.id).toBe(created.id);
    expect(replay.key).toBeNull();
  });

  test("expired replies are purged by the background tick", async () => {
    await s.api("/api/v1/documents", { method: "POST", json: {}, headers: { "idempotency-key": "to-purge" } });
    expect(await stored("to-purge")).toHaveLength(1);
    (s.clock as any).advance(25 * 3600_000);
    await s.running.app.jobs.drain();
    expect(await stored("to-purge")).toHaveLength(0);
  });

  test("a backlog of expired replies goes a batch per tick, oldest first; replies not expired stay", async () => {
    await s.running.app.jobs.drain(); // the runner's first round over, whatever ran before
    (s.clock as any).advance(61_000); // past the minute an earlier purge waits after a short batch
    const now = (s.clock as any).now() as Date;
    const row = (i: number, expiresAt: Date) => ({
      environment: "test" as const, key: `backlog-${i}`, fingerprint: "f", status: "done" as const, responseStatus: 201,
      responseHeaders: {}, responseBody: "{}", createdAt: now, expiresAt,
    });
    const backlog = PURGE_BATCH * 2 + 500;
    for (let i = 0; i < backlog; i += 500)
      await s.deps.db.insert(idempotencyKeys).values(Array.from({ length: 500 }, (_, j) => row(i + j, new Date(now.getTime() - 3600_000 + i + j))));
    await s.deps.db.insert(idempotencyKeys).values(row(-1, new Date(now.getTime() + 3600_000)));
    const left = async () => (await s.deps.db.select({ n: count() }).from(idempotencyKeys).where(like(idempotencyKeys.key, "backlog-%")))[0]!.n;
    await s.running.app.jobs.drain();
    expect(await left()).toBe(backlog + 1 - PURGE_BATCH);
    // The oldest went first.
    expect(await stored("backlog-0")).toHaveLength(0);
    expect(await stored(`backlog-${PURGE_BATCH}`)).toHaveLength(1);
    await s.running.app.jobs.drain();
    await s.running.app.jobs.drain();
    expect(await left()).toBe(1);
    expect(await stored("backlog--1")).toHaveLength(1);
  });

  test.skipIf(dialect !== "postgres")("a key another node claims between this one's read and its insert: that claim wins, no 500", async () => {
    // The other node's claim, not yet committed: this node's read misses it and its insert waits on it.
    const other = new SQL(s.deps.config.database.url, { max: 2 });
    const tx = await other.reserve();
    try {
      const now = s.clock.now().getTime();
      await tx`BEGIN`;
      await tx`INSERT INTO idempotency_keys (environment, key, fingerprint, status, created_at, expires_at) VALUES ('test', 'race', 'another request', 'running', ${now}, ${now + 3600_000})`;
      const before = await docCount();
      const pending = s.api("/api/v1/documents", { method: "POST", json: {}, headers: { "idempotency-key": "race" } });
      while (!(await other`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'insert into "idempotency_keys"%'`).length) await Bun.sleep(10);
      await tx`COMMIT`;
      const res = await pending;
      expect(res.status).toBe(422);
      expect((await res.json()).code).toBe("idempotency_key_reused");
      expect(await docCount()).toBe(before);
    } finally {
      tx.release();
      await other.close();
    }
  });
});
});
