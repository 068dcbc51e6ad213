/**
 * PATCH /api/v1/envelopes/{id}/recipients/{recipientId}: a sent envelope's recipient corrected,
 * over the real server and a real SMTP sink: the old link dies, the new one works and is mailed
 * to the new address, and the audit trail says what changed.
 */
import { describe, expect, test } from "bun:test";
import { listAudit } from "../src/modules/audit/service";
import { complete, createEnvelope, sendEnvelope, tokenOf, uploadDoc } from "./helpers/envelopes";
import { useNotificationPeers } from "./helpers/notification-peers";
import type { TestServer } from "./helpers/server";

const peers = useNotificationPeers();

const correct = (s: TestServer, envelopeId: string, recipientId: string, json: unknown) =>
  s.api(`/api/v1/envelopes/${envelopeId}/recipients/${recipientId}`, { method: "PATCH", json });

async function sent(s: TestServer, extra: Record<string, unknown> = {}) {
  const doc = await uploadDoc(s);
  const e = await createEnvelope(s, {
    subject: "Offer letter", documentIds: [doc.id],
    recipients: [{ email: "wrong@example.com", name: "Jane Doh" }, { email: "boss@example.com", name: "Boss" }],
    ...extra,
  });
  return sendEnvelope(s, e.id);
}

describe("correcting a recipient after sending", () => {
  test("the old link stops working, a new one is issued and mailed to the corrected address, audited", async () => {
    const s = await peers.server(peers.sink.env);
    const e = await sent(s);
    const jane = e.recipients[0];
    const oldToken = tokenOf(jane.signUrl);
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(2);
    peers.sink.messages.length = 0;
    expect((await fetch(`${s.url}/api/v1/signing/${oldToken}`)).status).toBe(200);

    const res = await correct(s, e.id, jane.id, { email: "jane.doe@example.com", name: "Jane Doe" });
    expect(res.status).toBe(200);
    const after = await res.json();
    const fixed = after.recipients[0];
    expect(fixed).toMatchObject({ id: jane.id, email: "jane.doe@example.com", name: "Jane Doe", status: "SENT", viewedAt: null });
    expect(fixed.signUrl).not.toBe(jane.signUrl);
    expect(after.recipients[1].signUrl).toBe(e.recipients[1].signUrl);

    const old = await fetch(`${s.url}/api/v1/signing/${oldToken}`);
    expect(old.status).toBe(404);
    const session = await (await fetch(`${s.url}/api/v1/signing/${tokenOf(fixed.signUrl)}`)).json();
    expect(session.recipient).toMatchObject({ name: "Jane Doe", email: "jane.doe@example.com" });

    await s.running.app.jobs.drain();
    const [mail] = await peers.sink.waitFor(1);
    expect(mail!.to).toEqual(["jane.doe@example.com"]);
    expect(mail!.text).toContain(fixed.signUrl);
    expect(mail!.text).not.toContain(oldToken);

    const corrected = (await listAudit(s.deps.db, e.id)).find((a) => a.type === "recipient.corrected")!;
    expect(corrected.data).toMatchObject({
      recipientId: jane.id, invitationResent: true,
      changes: { email: { from: "wrong@example.com", to: "jane.doe@example.com" }, name: { from: "Jane Doh", to: "Jane Doe" } },
    });
    expect(corrected.actor).toStartWith("api:");

    // The corrected recipient signs with the new link.
    expect((await complete(s, tokenOf(fixed.signUrl), { signature: { type: "typed", value: "Jane Doe" }, consent: true })).status).toBe(200);
  });

  test("a recipient not invited yet (sequential) gets a new link but no mail until their turn", async () => {
    const s = await peers.server(peers.sink.env);
    const e = await sent(s, { signingOrder: "sequential" });
    const boss = e.recipients[1];
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(1);
    peers.sink.messages.length = 0;
    const after = await (await correct(s, e.id, boss.id, { phone: "+33612345678" })).json();
    expect(after.recipients[1]).toMatchObject({ phone: "+33612345678", status: "PENDING" });
    expect(after.recipients[1].signUrl).not.toBe(boss.signUrl);
    await s.running.app.jobs.drain();
    expect(peers.sink.messages).toHaveLength(0);
    expect((await listAudit(s.deps.db, e.id)).find((a) => a.type === "recipient.corrected")!.data).toMatchObject({ invitationResent: false });
  });

  test("refusals: signed, draft, ended, unknown recipient, bad or duplicate e-mail, empty body", async () => {
    const s = await peers.server();
    const e = await sent(s);
    const [jane, boss] = e.recipients;
    const problem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.code).toBe(code);
      return body;
    };
    const bad = await problem(await correct(s, e.id, jane.id, { email: "BOSS@example.com", name: " " }), 422, "validation_failed");
    expect(bad.errors.map((x: any) => x.pointer).sort()).toEqual(["/email", "/name"]);
    await problem(await correct(s, e.id, jane.id, { email: "nope" }), 422, "validation_failed");
    await problem(await correct(s, e.id, jane.id, {}), 422, "validation_failed");
    await problem(await correct(s, e.id, "rcp_unknown", { name: "X" }), 404, "not_found");
    expect((await complete(s, tokenOf(jane.signUrl), { signature: { type: "typed", value: "Jane" }, consent: true })).status).toBe(200);
    await problem(await correct(s, e.id, jane.id, { name: "Jane Doe" }), 409, "signing_already_done");
    // Another environment's key does not see the envelope.
    await problem(await s.api(`/api/v1/envelopes/${e.id}/recipients/${boss.id}`, { method: "PATCH", json: { name: "X" }, key: await s.key("live") }), 404, "not_found");

    const doc = await uploadDoc(s);
    const draft = await createEnvelope(s, { subject: "Draft", documentIds: [doc.id], recipients: [{ email: "a@example.com", name: "A" }] });
    await problem(await correct(s, draft.id, draft.recipients[0].id, { name: "B" }), 409, "envelope_not_sent");
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" })).status).toBe(200);
    await problem(await correct(s, e.id, boss.id, { name: "B" }), 409, "envelope_ended");
  });

  test("a recipient whose code goes by SMS keeps a phone", async () => {
    const s = await peers.server();
    const e = await sent(s, { recipients: [{ email: "sms@example.com", name: "Sam", phone: "+33612345678", authentication: { method: "sms_otp" } }] });
    const res = await correct(s, e.id, e.recipients[0].id, { phone: null });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).errors.map((x: any) => x.pointer)).toEqual(["/phone"]);
    expect((await correct(s, e.id, e.recipients[0].id, { phone: "+33612345679" })).status).toBe(200);
  });

  test("a correction that changes nothing keeps the link", async () => {
    const s = await peers.server();
    const e = await sent(s);
    const after = await (await correct(s, e.id, e.recipients[0].id, { name: "Jane Doh" })).json();
    expect(after.recipients[0].signUrl).toBe(e.recipients[0].signUrl);
    expect((await listAudit(s.deps.db, e.id)).some((a) => a.type === "recipient.corrected")).toBe(false);
  });
});
