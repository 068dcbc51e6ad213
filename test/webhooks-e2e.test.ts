/**
 * End to end: envelopes driven through the public API and the signing API; the events arrive
 * at a real receiver, signed (verified with `standardwebhooks`), with the envelope as the API shows it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { complete, createEnvelope, decline, getEnvelope, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, uploadDoc } from "./helpers/envelopes";
import type { TestServer } from "./helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

let s: TestServer;
let rx: WebhookReceiver;
let doc: { id: string };
beforeAll(async () => {
  s = await startEnvelopeServer({ CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8" });
  rx = startWebhookReceiver();
  doc = await uploadDoc(s);
});
afterAll(async () => {
  await s.stop();
  await rx.stop();
});

async function register(path: string, events?: string[], key?: string) {
  const res = await s.api("/api/v1/webhooks", { method: "POST", json: { url: rx.url(path), events }, key });
  expect(res.status).toBe(201);
  const hook = await res.json();
  rx.expect(path, hook.secret);
  return hook;
}

const eventsFor = (path: string, envelopeId: string) =>
  rx.accepted(path).filter((d) => d.payload!.data.envelope.id === envelopeId).map((d) => d.payload!);

test("create + send: envelope.created and envelope.sent arrive, signed, with the envelope as the API returns it", async () => {
  await register("/all");
  const created = await createEnvelope(s, quickStart([doc.id]));
  const sent = await sendEnvelope(s, created.id);
  await s.running.app.webhooks.drain();
  const got = eventsFor("/all", created.id);
  expect(got.map((e) => e.type)).toEqual(["envelope.created", "envelope.sent"]);
  for (const e of got) {
    expect(e.id).toMatch(/^evt_/);
    expect(e.environment).toBe("test");
    expect(e.createdAt).toBe(s.clock.now().toISOString());
  }
  expect(got[0]!.data.envelope).toMatchObject({ id: created.id, status: "DRAFT", subject: created.subject });
  expect(got[1]!.data.envelope).toMatchObject({ id: created.id, status: "SENT" });
  expect(got[1]!.data.envelope.recipients.map((r: any) => r.id)).toEqual(sent.recipients.map((r: any) => r.id));
  // The webhook-id header is the event id; every delivery verified.
  expect(rx.accepted("/all").filter((d) => d.payload!.data.envelope.id === created.id).every((d) => d.id === d.payload!.id)).toBe(true);
  expect(rx.received.every((d) => d.verifyError === null)).toBe(true);
});

test("viewing, signing and completing; declining; voiding: each event once, only to subscribed endpoints", async () => {
  await register("/completed-only", ["envelope.completed", "envelope.declined"]);
  const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [
    { email: "a@example.com", name: "Ann", role: "SIGNER" },
    { email: "b@example.com", name: "Ben", role: "SIGNER" },
  ]))).id);
  for (const r of e.recipients) {
    const token = tokenOf(r.signUrl);
    expect((await signing(s, token)).status).toBe(200);
    expect((await complete(s, token, { signature: { type: "typed", value: r.name }, consent: true })).status).toBe(200);
  }
  const declined = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
  expect((await decline(s, tokenOf(declined.recipients[0].signUrl))).status).toBe(200);
  const voided = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
  expect((await s.api(`/api/v1/envelopes/${voided.id}`, { method: "DELETE" })).status).toBe(200);
  await s.running.app.webhooks.drain();

  const types = eventsFor("/all", e.id).map((x) => x.type);
  expect(types.filter((t) => t === "recipient.viewed")).toHaveLength(2);
  expect(types.filter((t) => t === "recipient.signed")).toHaveLength(2);
  expect(types.at(-1)).toBe("envelope.completed");
  const completed = eventsFor("/all", e.id).at(-1)!;
  expect(completed.data.envelope.status).toBe("COMPLETED");
  expect((await getEnvelope(s, e.id)).status).toBe("COMPLETED");
  expect(eventsFor("/all", declined.id).map((x) => x.type)).toContain("envelope.declined");
  expect(eventsFor("/all", voided.id).map((x) => x.type)).toContain("envelope.voided");

  expect(eventsFor("/completed-only", e.id).map((x) => x.type)).toEqual(["envelope.completed"]);
  expect(eventsFor("/completed-only", declined.id).map((x) => x.type)).toEqual(["envelope.declined"]);
  expect(eventsFor("/completed-only", voided.id)).toEqual([]);
  const ids = rx.accepted().map((d) => `${d.path} ${d.id}`);
  expect(new Set(ids).size).toBe(ids.length); // each event delivered once per endpoint
});

test("live envelopes go to live endpoints only", async () => {
  const live = await s.key("live", "e2e live");
  await register("/live", undefined, live);
  const liveDoc = await uploadDoc(s, { key: live });
  const e = await createEnvelope(s, quickStart([liveDoc.id]), live);
  const t = await createEnvelope(s, quickStart([doc.id]));
  await s.running.app.webhooks.drain();
  expect(eventsFor("/live", e.id).map((x) => [x.type, x.environment])).toEqual([["envelope.created", "live"]]);
  expect(eventsFor("/live", t.id)).toEqual([]);
  expect(eventsFor("/all", e.id)).toEqual([]);
});
