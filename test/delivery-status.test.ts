/**
 * Delivery status on recipients (GET /envelopes/{id}: delivery), remind now (API and CLI), and
 * the webhook events recipient.delivery_failed and envelope.seal_failed. Real SMTP server,
 * real outbox, fake clock.
 */
import { describe, expect, test } from "bun:test";
import { maxRetryDelayMs, MAX_ATTEMPTS } from "../src/jobs/schedule";
import { markSealFailed } from "../src/modules/sealing/service";
import { complete, createEnvelope, getEnvelope, jobsOf, post, quickStart, sendEnvelope, tokenOf, uploadDoc } from "./helpers/envelopes";
import { useNotificationPeers } from "./helpers/notification-peers";
import type { TestServer } from "./helpers/server";
import { BUN, run } from "./helpers/spawn";
import { subscribeToAllEvents } from "./helpers/events";

const peers = useNotificationPeers();

const eventsOf = (s: TestServer, type: string) =>
  (s.deps.db.$client.query("SELECT payload FROM webhook_events WHERE type = ? ORDER BY rowid").all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload));

async function sentEnvelope(s: TestServer, recipients = [{ email: "ana@example.com", name: "Ana" }]) {
  const doc = await uploadDoc(s);
  return sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], recipients))).id);
}

describe("delivery status", () => {
  test("pending when queued, pending with the error while retried, sent once SMTP accepts it", async () => {
    const s = await peers.server(peers.sink.env);
    const env = await sentEnvelope(s);
    expect(env.recipients[0].delivery).toMatchObject({ status: "pending", channel: null, attempts: 0, lastError: null });
    peers.sink.failNext(1);
    await s.running.app.jobs.drain();
    const failedOnce = (await getEnvelope(s, env.id)).recipients[0].delivery;
    expect(failedOnce).toMatchObject({ status: "pending", channel: "email", attempts: 1 });
    expect(failedOnce.lastError).toContain("451");
    s.clock.advance(maxRetryDelayMs(1));
    await s.running.app.jobs.drain();
    const sent = (await getEnvelope(s, env.id)).recipients[0].delivery;
    expect(sent).toMatchObject({ status: "sent", channel: "email", attempts: 2, lastError: null });
    expect(sent.updatedAt).toBe(s.clock.now().toISOString());
    expect(peers.sink.messages).toHaveLength(1);
  });

  test("failed after the last attempt, with a recipient.delivery_failed webhook event", async () => {
    const s = await peers.server(peers.sink.env);
    await subscribeToAllEvents(s.deps);
    const env = await sentEnvelope(s);
    peers.sink.failNext(MAX_ATTEMPTS);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await s.running.app.jobs.drain();
      if (attempt < MAX_ATTEMPTS) s.clock.advance(maxRetryDelayMs(attempt));
    }
    const r = (await getEnvelope(s, env.id)).recipients[0];
    expect(r.status).toBe("SENT");
    expect(r.delivery).toMatchObject({ status: "failed", channel: "email", attempts: MAX_ATTEMPTS });
    const [event] = eventsOf(s, "recipient.delivery_failed");
    expect(event.data).toMatchObject({ recipientId: r.id, channel: "email", message: "invitation" });
    expect(event.data.error).toContain("451");
    expect(event.data.envelope.recipients[0].delivery.status).toBe("failed");
    expect(event.data.envelope.recipients[0].signUrl).toBeUndefined();
  });

  test("recipients not invited yet (a later routing group) have no delivery", async () => {
    const s = await peers.server(peers.sink.env);
    const doc = await uploadDoc(s);
    const env = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }], { signingOrder: "sequential" }))).id);
    expect(env.recipients.map((r: any) => r.delivery?.status ?? null)).toEqual(["pending", null]);
  });
});

describe("POST /envelopes/{id}/recipients/{recipientId}/remind", () => {
  test("reminds now; the delivery starts afresh and the reminder arrives", async () => {
    const s = await peers.server(peers.sink.env);
    const env = await sentEnvelope(s);
    await s.running.app.jobs.drain();
    s.clock.advance(60_000);
    const r = await post(s, `/api/v1/envelopes/${env.id}/recipients/${env.recipients[0].id}/remind`);
    expect(r.status).toBe(200);
    expect(r.body.recipients[0].delivery).toMatchObject({ status: "pending", attempts: 0, updatedAt: s.clock.now().toISOString() });
    expect(r.body.audit.events.at(-1)).toMatchObject({ type: "recipient.reminded", actor: expect.stringMatching(/^api:key_/) });
    expect(jobsOf(s, "send_reminder")).toHaveLength(1);
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(2);
    expect(peers.sink.messages[1]!.to).toEqual(["ana@example.com"]);
    expect((await getEnvelope(s, env.id)).recipients[0].delivery).toMatchObject({ status: "sent", attempts: 1 });
  });

  test("409 once the recipient has signed; 404 for an unknown recipient or another environment's envelope", async () => {
    const s = await peers.server(peers.sink.env);
    const env = await sentEnvelope(s, [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]);
    expect((await complete(s, tokenOf(env.recipients[0].signUrl))).status).toBe(200);
    const signed = await post(s, `/api/v1/envelopes/${env.id}/recipients/${env.recipients[0].id}/remind`);
    expect(signed.status).toBe(409);
    expect(signed.body.code).toBe("conflict");
    expect((await post(s, `/api/v1/envelopes/${env.id}/recipients/rcp_nope/remind`)).status).toBe(404);
    expect((await post(s, `/api/v1/envelopes/${env.id}/recipients/${env.recipients[1].id}/remind`, undefined, { key: await s.key("live") })).status).toBe(404);
    const voided = await s.api(`/api/v1/envelopes/${env.id}?reason=x`, { method: "DELETE" });
    expect(voided.status).toBe(200);
    const ended = await post(s, `/api/v1/envelopes/${env.id}/recipients/${env.recipients[1].id}/remind`);
    expect(ended).toMatchObject({ status: 409, body: { code: "envelope_ended" } });
  });

  test("certyneo remind queues it from the command line", async () => {
    const s = await peers.server(peers.sink.env);
    const env = await sentEnvelope(s);
    const r = run([BUN, "src/main.ts", "remind", env.id, env.recipients[0].id], { env: { CERTYNEO_DATA_DIR: s.dir } });
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("Queued a reminder") });
    expect(jobsOf(s, "send_reminder")).toHaveLength(1);
    expect((await getEnvelope(s, env.id)).audit.events.at(-1)).toMatchObject({ type: "recipient.reminded", actor: "cli" });
  });
});

describe("envelope.seal_failed", () => {
  test("a seal that fails for good is a webhook event with its reason", async () => {
    const s = await peers.server(peers.sink.env);
    await subscribeToAllEvents(s.deps);
    const env = await sentEnvelope(s);
    expect((await complete(s, tokenOf(env.recipients[0].signUrl))).status).toBe(200);
    await markSealFailed(s.deps, env.id, "the TSA did not answer");
    const [event] = eventsOf(s, "envelope.seal_failed");
    expect(event.data.reason).toBe("the TSA did not answer");
    expect(event.data.envelope).toMatchObject({ id: env.id, sealStatus: "FAILED" });
  });
});
