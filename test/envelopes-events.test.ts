/**
 * The webhook events an envelope's changes write: in the same transaction, carrying the envelope
 * as GET returns it, never a signing link.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, quickStart, sendEnvelope, tokenOf } from "./helpers/envelopes";
import { subscribeToAllEvents } from "./helpers/events";

const { s, doc } = await envelopeSuite();
await subscribeToAllEvents(s.deps);

/** The envelope as webhook events carry it: recipients without signUrl. */
const withoutSignUrls = (e: any) => ({ ...e, recipients: e.recipients.map(({ signUrl: _, ...r }: any) => r) });

describe("webhook events", () => {
  test("written in the same transaction, carrying the envelope as GET returns it", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    const events = () => (s.deps.db.$client.query("SELECT type, payload FROM webhook_events ORDER BY rowid").all() as any[])
      .map((r) => JSON.parse(r.payload)).filter((p) => p.data.envelope.id === e.id);
    expect(events().map((p) => p.type)).toEqual(["envelope.created"]);
    expect(events()[0].data.envelope).toEqual(withoutSignUrls(e));
    expect(events()[0].environment).toBe("test");
    const sent = await sendEnvelope(s, e.id);
    expect(events().map((p) => p.type)).toEqual(["envelope.created", "envelope.sent"]);
    expect(events()[1].data.envelope).toEqual(withoutSignUrls(sent));
    await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" });
    expect(events().at(-1).type).toBe("envelope.voided");
    expect(events().at(-1).data.envelope.status).toBe("VOIDED");
  });

  test("carry no signing link: envelope.sent has no signUrl, in the stored payload nor anywhere else", async () => {
    const sent = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [
      { email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" },
    ]))).id);
    expect(sent.recipients.every((r: any) => typeof r.signUrl === "string")).toBe(true); // the API still shows them
    const row = s.deps.db.$client.query("SELECT payload FROM webhook_events WHERE type = 'envelope.sent' ORDER BY rowid DESC LIMIT 1").get() as { payload: string };
    const payload = JSON.parse(row.payload);
    expect(payload.data.envelope.id).toBe(sent.id);
    expect(payload.data.envelope.recipients).toHaveLength(2);
    for (const r of payload.data.envelope.recipients) expect(r).not.toHaveProperty("signUrl");
    for (const r of sent.recipients) expect(row.payload).not.toContain(tokenOf(r.signUrl));
    expect(row.payload).not.toContain("/s/");
  });
});
