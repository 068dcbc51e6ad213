import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { recordEvent, WEBHOOK_EVENT_TYPES } from "../src/modules/webhooks/events";
import { transaction } from "../src/store/transaction";
import { startTestServer, type TestServer } from "./helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

let s: TestServer;
let rx: WebhookReceiver;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8", CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
  rx = startWebhookReceiver();
});
afterAll(async () => {
  await s.stop();
  await rx.stop();
});

const create = (json: unknown, key?: string) => s.api("/api/v1/webhooks", { method: "POST", json, key });

describe("POST /webhooks", () => {
  test("creates an endpoint subscribed to all events and shows the Standard Webhooks secret once", async () => {
    const res = await create({ url: rx.url("/a"), description: "HRIS" });
    expect(res.status).toBe(201);
    const hook = await res.json();
    expect(hook).toMatchObject({ url: rx.url("/a"), description: "HRIS", events: ["*"], enabled: true, disabledReason: null, failingSince: null });
    expect(hook.id).toMatch(/^whk_[0-9a-z]{20}$/);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(hook.secret)).not.toThrow();
    expect(res.headers.get("location")).toBe(`/api/v1/webhooks/${hook.id}`);

    const got = await (await s.api(`/api/v1/webhooks/${hook.id}`)).json();
    expect(got.secret).toBeUndefined();
    const { secret: _, ...publicView } = hook;
    expect(got).toEqual(publicView);
    const list = await (await s.api("/api/v1/webhooks")).json();
    expect(list.data.map((w: any) => w.id)).toContain(hook.id);
    expect(list.data.every((w: any) => !("secret" in w))).toBe(true);
  });

  test("events: a chosen subset, de-duplicated; '*' stands for all", async () => {
    const a = await (await create({ url: rx.url("/b"), events: ["envelope.completed", "envelope.declined", "envelope.completed"] })).json();
    expect(a.events).toEqual(["envelope.completed", "envelope.declined"]);
    const b = await (await create({ url: rx.url("/c"), events: ["envelope.sent", "*"] })).json();
    expect(b.events).toEqual(["*"]);
  });

  const invalid: [string, unknown, string][] = [
    ["missing url", {}, "/url"],
    ["not a URL", { url: "hooks.example.com/x" }, "/url"],
    ["ftp URL", { url: "ftp://hooks.example.com/x" }, "/url"],
    ["javascript URL", { url: "javascript:alert(1)" }, "/url"],
    ["credentials in the URL", { url: "https://user:pw@hooks.example.com/x" }, "/url"],
    ["unknown event type", { url: "https://hooks.example.com/x", events: ["envelope.completed", "envelope.exploded"] }, "/events/1"],
    ["empty event list", { url: "https://hooks.example.com/x", events: [] }, "/events"],
    ["unknown field", { url: "https://hooks.example.com/x", secret: "whsec_mine" }, "/secret"],
    ["private literal address (not allowed here)", { url: "http://10.1.2.3/hook" }, "/url"],
    ["metadata address", { url: "http://169.254.169.254/latest/meta-data" }, "/url"],
    ["IPv4-translated address", { url: "http://[::ffff:0:a9fe:a9fe]/hook" }, "/url"],
    ["Teredo address", { url: "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook" }, "/url"],
  ];
  for (const [name, body, pointer] of invalid) {
    test(`422 for ${name}`, async () => {
      const res = await create(body);
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const p = await res.json();
      expect(p.code).toBe("validation_failed");
      expect(p.errors.map((e: any) => e.pointer)).toContain(pointer);
    });
  }

  test("the 422 for an unknown type names the known types", async () => {
    const p = await (await create({ url: "https://hooks.example.com/x", events: ["nope"] })).json();
    expect(p.errors[0].message).toContain("envelope.completed");
  });

  test("the log shows the URL's origin and path, never its query (a receiver's token may be there)", async () => {
    const res = await create({ url: "https://hooks.example.com/in/certyneo?token=s3cr3t-t0ken&tenant=4" });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const line = s.logs.find((l) => l.msg === "webhook created" && l.webhookId === id);
    expect(line).toMatchObject({ url: "https://hooks.example.com/in/certyneo" });
    expect(JSON.stringify(s.logs)).not.toContain("s3cr3t-t0ken");
  });

  test("a loopback literal is accepted when the admin allows 127.0.0.0/8, a public host name always", async () => {
    expect((await create({ url: "http://127.0.0.1:9/x" })).status).toBe(201);
    expect((await create({ url: "https://hooks.example.com/certyneo?tenant=4" })).status).toBe(201);
  });
});

describe("auth and environments", () => {
  test("401 without a key", async () => {
    for (const [method, path] of [["GET", "/api/v1/webhooks"], ["POST", "/api/v1/webhooks"], ["DELETE", "/api/v1/webhooks/whk_x"], ["GET", "/api/v1/webhooks/whk_x/deliveries"]]) {
      const res = await s.api(path!, { method, key: null });
      expect(res.status).toBe(401);
    }
  });

  test("an endpoint belongs to its environment: live keys do not see test endpoints (404) and vice versa", async () => {
    const live = await s.key("live");
    const testHook = await (await create({ url: rx.url("/env-test") })).json();
    const liveHook = await (await create({ url: rx.url("/env-live") }, live)).json();
    const liveList = await (await s.api("/api/v1/webhooks", { key: live })).json();
    expect(liveList.data.map((w: any) => w.id)).toEqual([liveHook.id]);
    for (const [method, suffix] of [["GET", ""], ["DELETE", ""], ["GET", "/deliveries"]] as const) {
      expect((await s.api(`/api/v1/webhooks/${testHook.id}${suffix}`, { method, key: live })).status).toBe(404);
      expect((await s.api(`/api/v1/webhooks/${liveHook.id}${suffix}`, { method })).status).toBe(404);
    }
    // Events reach the endpoints of their own environment only.
    rx.expect("/env-test", testHook.secret);
    rx.expect("/env-live", liveHook.secret);
    await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "live", envelopeId: "env_live1", type: "envelope.created", data: { envelope: { id: "env_live1" } } }));
    await s.running.app.webhooks.drain();
    expect(rx.accepted("/env-live").map((d) => d.payload!.data.envelope.id)).toEqual(["env_live1"]);
    expect(rx.received.filter((d) => d.path === "/env-test")).toHaveLength(0);
    expect(rx.accepted("/env-live")[0]!.payload!.environment).toBe("live");
  });
});

describe("PATCH and DELETE", () => {
  test("PATCH changes url/events/description; enabled:false disables, enabled:true re-enables", async () => {
    const hook = await (await create({ url: rx.url("/p") })).json();
    const res = await s.api(`/api/v1/webhooks/${hook.id}`, { method: "PATCH", json: { events: ["envelope.completed"], description: "x" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: ["envelope.completed"], description: "x", enabled: true });
    const off = await (await s.api(`/api/v1/webhooks/${hook.id}`, { method: "PATCH", json: { enabled: false } })).json();
    expect(off).toMatchObject({ enabled: false, disabledReason: "disabled through the API" });
    const on = await (await s.api(`/api/v1/webhooks/${hook.id}`, { method: "PATCH", json: { enabled: true } })).json();
    expect(on).toMatchObject({ enabled: true, disabledReason: null });
    expect((await s.api(`/api/v1/webhooks/${hook.id}`, { method: "PATCH", json: { url: "ftp://x" } })).status).toBe(422);
  });

  test("DELETE removes the endpoint (then 404) and drops its pending deliveries", async () => {
    const hook = await (await create({ url: "http://127.0.0.1:9/never" })).json();
    await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.sent", data: {} }));
    const pending = await (await s.api(`/api/v1/webhooks/${hook.id}/deliveries?status=pending`)).json();
    expect(pending.data).toHaveLength(1);
    const res = await s.api(`/api/v1/webhooks/${hook.id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    // The endpoint as deleted, not as it was.
    const { secret: _, ...before } = hook;
    expect(await res.json()).toEqual({ ...before, enabled: false, deletedAt: s.clock.now().toISOString() });
    expect((await s.api(`/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    expect((await s.api(`/api/v1/webhooks/${hook.id}`, { method: "DELETE" })).status).toBe(404);
    const list = await (await s.api("/api/v1/webhooks?limit=100")).json();
    expect(list.data.map((w: any) => w.id)).not.toContain(hook.id);
    const row = s.deps.db.$client.query("SELECT status, last_error FROM webhook_deliveries WHERE webhook_id = ?").get(hook.id) as any;
    expect(row).toEqual({ status: "failed", last_error: "not sent: endpoint deleted" });
  });

  test("list paginates newest first", async () => {
    const live = await s.key("live", "pagination");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      (s.clock as any).advance(1000); // distinct from endpoints created earlier in this file
      ids.push((await (await create({ url: `https://hooks.example.com/${i}` }, live)).json()).id);
    }
    const all = await (await s.api("/api/v1/webhooks?limit=100", { key: live })).json();
    const first = await (await s.api("/api/v1/webhooks?limit=2", { key: live })).json();
    expect(first.hasMore).toBe(true);
    expect(first.data.map((w: any) => w.id)).toEqual(all.data.slice(0, 2).map((w: any) => w.id));
    const next = await (await s.api(`/api/v1/webhooks?limit=2&startingAfter=${first.data[1].id}`, { key: live })).json();
    expect(next.data[0].id).toBe(all.data[2].id);
    expect(all.data.slice(0, 3).map((w: any) => w.id)).toEqual([...ids].reverse());
  });
});

describe("deliveries API", () => {
  test("lists deliveries with their attempts; resend queues the same event again", async () => {
    const created = await (await create({ url: rx.url("/d"), events: ["envelope.completed"] })).json();
    rx.expect("/d", created.secret);
    rx.respond("/d", (_d, n) => (n === 1 ? new Response("busy", { status: 503 }) : 200));
    const evt = (await transaction(s.deps.db, (tx) =>
      recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_d", type: "envelope.completed", data: { envelope: { id: "env_d" } } })))!;
    await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.sent", data: {} })); // not subscribed
    await s.running.app.webhooks.drain();

    let list = await (await s.api(`/api/v1/webhooks/${created.id}/deliveries`)).json();
    expect(list.data).toHaveLength(1);
    const d = list.data[0];
    expect(d).toMatchObject({ eventId: evt, eventType: "envelope.completed", status: "pending", attemptCount: 1, lastStatusCode: 503, lastError: "HTTP 503: busy" });
    expect(d.id).toMatch(/^dlv_/);
    expect(d.attempts).toEqual([{ attempt: 1, at: expect.any(String), statusCode: 503, durationMs: expect.any(Number), error: "HTTP 503: busy" }]);
    expect(Date.parse(d.nextAttemptAt) - Date.parse(d.attempts[0].at)).toBeGreaterThanOrEqual(10_000);

    (s.clock as any).advance(13_000);
    await s.running.app.webhooks.drain();
    list = await (await s.api(`/api/v1/webhooks/${created.id}/deliveries`)).json();
    expect(list.data[0]).toMatchObject({ status: "succeeded", attemptCount: 2, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(list.data[0].attempts.map((a: any) => a.statusCode)).toEqual([200, 503]);

    const res = await s.api(`/api/v1/webhooks/${created.id}/deliveries/${d.id}/resend`, { method: "POST" });
    expect(res.status).toBe(202);
    const again = await res.json();
    expect(again).toMatchObject({ eventId: evt, status: "pending", attemptCount: 0, attempts: [] });
    expect(again.id).not.toBe(d.id);
    await s.running.app.webhooks.drain();
    const got = rx.accepted("/d");
    expect(got).toHaveLength(2);
    expect(got[0]!.id).toBe(evt);
    expect(got[1]!.id).toBe(evt); // same webhook-id: the receiver can drop the duplicate
    expect(got[1]!.body).toBe(got[0]!.body);

    const filtered = await (await s.api(`/api/v1/webhooks/${created.id}/deliveries?status=succeeded&limit=1`)).json();
    expect(filtered.data).toHaveLength(1);
    expect(filtered.hasMore).toBe(true);
    expect((await s.api(`/api/v1/webhooks/${created.id}/deliveries/dlv_nope/resend`, { method: "POST" })).status).toBe(404);
  });

  test("resend on a disabled endpoint: 409 webhook_disabled", async () => {
    const created = await (await create({ url: rx.url("/dis"), events: ["envelope.voided"] })).json();
    rx.expect("/dis", created.secret);
    await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.voided", data: {} }));
    await s.running.app.webhooks.drain();
    const [d] = (await (await s.api(`/api/v1/webhooks/${created.id}/deliveries`)).json()).data;
    await s.api(`/api/v1/webhooks/${created.id}`, { method: "PATCH", json: { enabled: false } });
    const res = await s.api(`/api/v1/webhooks/${created.id}/deliveries/${d.id}/resend`, { method: "POST" });
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("webhook_disabled");
  });

  test("deliveries page newest first by cursor; a status filter keeps paging after the last item seen changed status", async () => {
    const hook = await (await create({ url: "http://127.0.0.1:9/pages", events: ["envelope.expired"] })).json();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      (s.clock as any).advance(1000);
      made.push((await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.expired", data: { n: i } })))!);
    }
    const list = (q: string) => s.api(`/api/v1/webhooks/${hook.id}/deliveries?${q}`).then(async (r) => ({ status: r.status, body: await r.json() }));
    const seen: any[] = [];
    let after = "";
    for (;;) {
      const page = await list(`limit=2${after ? `&startingAfter=${after}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      if (!page.body.hasMore) break;
      after = page.body.data.at(-1).id;
    }
    expect(seen.map((d) => d.eventId)).toEqual([...made].reverse());
    expect(seen.every((d) => d.eventType === "envelope.expired" && d.webhookId === hook.id)).toBe(true);

    const first = await list("status=pending&limit=2");
    expect(first.body.data.map((d: any) => d.eventId)).toEqual([made[4], made[3]]);
    const last = first.body.data[1].id;
    s.deps.db.$client.query("UPDATE webhook_deliveries SET status = 'failed' WHERE id = ?").run(last);
    const next = await list(`status=pending&limit=2&startingAfter=${last}`);
    expect(next.status).toBe(200);
    expect(next.body.data.map((d: any) => d.eventId)).toEqual([made[2], made[1]]);
    // A delivery of another endpoint is not a cursor here.
    const other = await (await create({ url: "http://127.0.0.1:9/other", events: ["envelope.expired"] })).json();
    await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.expired", data: {} }));
    const foreign = (await (await s.api(`/api/v1/webhooks/${other.id}/deliveries?limit=1`)).json()).data[0].id;
    expect((await list(`startingAfter=${foreign}`)).status).toBe(422);
  });

  test("every event type in the catalogue can be recorded", async () => {
    for (const type of WEBHOOK_EVENT_TYPES)
      expect(await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type, data: {} }))).toMatch(/^evt_/);
  });
});
