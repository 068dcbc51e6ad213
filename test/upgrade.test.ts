/**
 * An installation made by an earlier version (test/fixtures/upgrade-0.1.0, written through that
 * version's own API by scripts/upgrade-fixture.ts) upgraded in place: this version starts on a copy
 * of its data directory, migrates it, and goes on with everything in it, losing nothing. The old
 * answers are the contract: each envelope read now contains every member it had then.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migrationJournal } from "../migrations";
import { fakeClock } from "./helpers/clock";
import { tokenOf } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { tempDir } from "./helpers/spawn";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";
import { pdfsig } from "./pdf/helpers-seal";

const FIXTURE = join(import.meta.dir, "fixtures/upgrade-0.1.0");
const m = JSON.parse(readFileSync(join(FIXTURE, "manifest.json"), "utf8"));
const clock = fakeClock(new Date(m.madeAt));
const work = tempDir("certyneo-upgrade-");
let s: TestServer;
let rx: WebhookReceiver;
let owedEvents: string[];

const api = async (path: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await s.api(path, { key: m.key, method: init.method, json: init.json });
  const body = (res.headers.get("content-type") ?? "").includes("json") ? await res.json() : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, body: body as any };
};
const signing = async (token: string, path = "", json?: unknown) => {
  const res = await fetch(`${s.url}/api/v1/signing/${token}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { "user-agent": "UpgradeTest/1.0", ...(json === undefined ? {} : { "content-type": "application/json" }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const settle = async () => {
  await s.running.app.jobs.drain();
  await s.running.app.webhooks.drain();
};
const expectSealedByThisInstance = async (pdf: Uint8Array) => {
  const sigs = pdfsig(work, pdf);
  expect(sigs.length).toBe(1);
  expect(sigs[0]!.valid, sigs[0]!.text).toBe(true);
  expect(sigs[0]!.total, sigs[0]!.text).toBe(true);
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(pdf)], { type: "application/pdf" }), "sealed.pdf");
  const verdict = (await (await s.api("/api/v1/verify", { key: m.key, method: "POST", body: form })).json()) as any;
  expect(verdict.signatures.map((x: any) => [x.intact, x.byThisInstance])).toEqual([[true, true]]);
};

beforeAll(async () => {
  const dir = join(work, "data");
  cpSync(join(FIXTURE, "data"), dir, { recursive: true });
  // git keeps no file modes beyond the executable bit; the earlier version wrote these 0600.
  for (const secret of ["instance.key", "development-seal.p12"]) chmodSync(join(dir, secret), 0o600);
  const before = new Database(join(dir, "certyneo.db"), { readonly: true });
  owedEvents = (before.query("SELECT event_id FROM webhook_deliveries WHERE status <> 'delivered' ORDER BY event_id").all() as { event_id: string }[]).map((r) => r.event_id);
  before.close();
  rx = startWebhookReceiver();
  s = await startTestServer({ dir, clock, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8" } });
});
afterAll(async () => {
  await s?.stop();
  await rx?.stop();
});

describe(`an installation made by ${m.version} upgrades in place`, () => {
  test("every later migration is applied once, and the earlier key still authenticates", async () => {
    expect(owedEvents.length).toBeGreaterThan(0);
    const migrated = s.logs.find((l) => l.msg === "database migrated");
    expect(migrated?.applied).toBe(migrationJournal.length - m.migrations);
    expect((s.deps.db.$client.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n).toBe(migrationJournal.length);
    const list = await api("/api/v1/envelopes?limit=100");
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: any) => e.id).sort()).toEqual(Object.values(m.ids).sort());
  });

  test("every operation of the earlier API is still offered", async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const now = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)));
    expect(m.operations.length).toBeGreaterThan(20);
    expect(m.operations.filter((op: string) => !now.has(op))).toEqual([]);
  });

  test("each envelope reads as it did, with every member it had, and its audit chain holds", async () => {
    const oldOrigin = new URL(m.envelopes[m.ids.completed].recipients[0].signUrl).origin;
    for (const [id, old] of Object.entries<any>(m.envelopes)) {
      const now = await api(`/api/v1/envelopes/${id}`);
      expect(now.status).toBe(200);
      // Signing links are made from the base URL in use; their tokens are the earlier ones.
      expect(now.body).toMatchObject(JSON.parse(JSON.stringify(old).replaceAll(oldOrigin, s.url)));
      expect(now.body.audit.valid).toBe(true);
    }
  });

  test("the PDF sealed before the upgrade is served byte for byte and still verifies as this instance's", async () => {
    const sealed = await api(`/api/v1/envelopes/${m.ids.completed}/signed-document`);
    expect(sealed.status).toBe(200);
    expect(new Bun.CryptoHasher("sha256").update(sealed.body).digest("hex")).toBe(m.sealedSha256);
    await expectSealedByThisInstance(sealed.body);
    const trail = await api(`/api/v1/envelopes/${m.ids.completed}/audit-trail`);
    expect(trail.status).toBe(200);
    expect(Buffer.from(trail.body.subarray(0, 5)).toString()).toBe("%PDF-");
  });

  test("signing links sent before the upgrade still work: the last signature seals with the same key", async () => {
    const bo = await signing(m.openTokens.halfSignedBo);
    expect([bo.status, bo.body.state]).toEqual([200, "ready"]);
    const done = await signing(m.openTokens.halfSignedBo, "/complete", { signature: { type: "typed", value: "Bo Li" }, consent: true });
    expect(done.status).toBe(200);
    await settle();
    const e = await api(`/api/v1/envelopes/${m.ids.halfSigned}`);
    expect([e.body.status, e.body.sealStatus, e.body.audit.valid]).toEqual(["COMPLETED", "SEALED", true]);
    expect(e.body.audit.count).toBeGreaterThan(m.envelopes[m.ids.halfSigned].audit.count);
    const sealed = await api(`/api/v1/envelopes/${m.ids.halfSigned}/signed-document`);
    expect(sealed.status).toBe(200);
    await expectSealedByThisInstance(sealed.body);

    const opened = await signing(m.openTokens.viewedAna);
    expect([opened.status, opened.body.state, opened.body.fields.length]).toEqual([200, "ready", 4]);
    expect((await signing(m.closedTokens.declinedAna)).body.state).toBe("declined");
    expect((await signing(m.closedTokens.voided)).body.state).toBe("voided");
    expect((await signing(m.closedTokens.completedAna)).body.state).toBe("completed");
  });

  test("a draft made before the upgrade can be changed and sent", async () => {
    const changed = await api(`/api/v1/envelopes/${m.ids.draft}`, { method: "PATCH", json: { subject: "Draft sent after the upgrade" } });
    expect(changed.status).toBe(200);
    expect(changed.body.recipients.map((r: any) => r.id)).toEqual(m.envelopes[m.ids.draft].recipients.map((r: any) => r.id));
    const sent = await api(`/api/v1/envelopes/${m.ids.draft}/send`, { method: "POST" });
    expect(sent.status).toBe(200);
    const first = await signing(tokenOf(sent.body.recipients[0].signUrl));
    expect([first.status, first.body.state, first.body.fields.length]).toEqual([200, "ready", 4]);
  });

  test("webhook deliveries owed before the upgrade arrive, signed with the endpoint's earlier secret", async () => {
    const hook = await api(`/api/v1/webhooks/${m.webhook.id}`);
    expect([hook.status, hook.body.enabled]).toEqual([200, true]);
    rx.expect("/after-upgrade", m.webhook.secret);
    expect((await api(`/api/v1/webhooks/${m.webhook.id}`, { method: "PATCH", json: { url: rx.url("/after-upgrade") } })).status).toBe(200);
    clock.advance(3_600_000);
    await settle();
    const arrived = rx.accepted("/after-upgrade").map((d) => d.id);
    expect(arrived.filter((id) => owedEvents.includes(id)).sort()).toEqual(owedEvents);
    expect(rx.received.filter((d) => d.verifyError !== null)).toEqual([]);
  });

  test("reminders go on for an envelope sent before the upgrade", async () => {
    const reminded = async () => (await api(`/api/v1/envelopes/${m.ids.viewed}`)).body.audit.events.filter((e: any) => e.type === "recipient.reminded").length;
    expect(await reminded()).toBe(0);
    clock.set(new Date(Date.parse(m.envelopes[m.ids.viewed].sentAt) + 72 * 3_600_000 + 60_000));
    await settle();
    expect(await reminded()).toBe(1);
  });
});
