/**
 * The webhook events an envelope's changes write: in the same transaction, carrying the envelope
 * as GET returns it, never a signing link.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, getEnvelope, quickStart, sendEnvelope, tokenOf } from "./helpers/envelopes";
import { subscribeToAllEvents } from "./helpers/events";

const { s, doc, doc2 } = await envelopeSuite();
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

  test("a creation answers the envelope it wrote, every option set: as GET returns it right after, and as its event carries it", async () => {
    const e = await createEnvelope(s, {
      subject: "Contrat de travail", message: "Merci de signer", documentIds: [doc2.id, doc.id], locale: "fr",
      expiresAt: new Date(s.clock.now().getTime() + 86400_000).toISOString(), reminderIntervalHours: 24, notifyBySms: true, allowReassign: true,
      metadata: { employeeId: "E-7" }, prefill: { "Job title": "Engineer", Agreed: true },
      sender: { name: " HR team ", email: "hr@example.com" }, embedding: { allowedOrigins: ["https://hr.example.com/"] }, redirectUrl: "https://hr.example.com/done",
      recipients: [
        {
          email: " jane@example.com ", name: "Jane Doe", phone: "+33612345678", roleName: "Employee", routingOrder: 2,
          authentication: { method: "access_code", accessCode: "4321" },
          fields: [
            { documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60 },
            { documentId: doc2.id, type: "text", page: 1, x: 10, y: 10, width: 100, height: 20, label: "Job title" },
            { documentId: doc2.id, type: "checkbox", page: 1, x: 10, y: 40, width: 12, height: 12, label: "Agreed", required: false },
          ],
        },
        { email: "manager@example.com", name: "Manager", role: "APPROVER", routingOrder: 1, embedded: true },
      ],
    });
    expect(e.fields.map((f: any) => [f.value, f.readOnly])).toEqual([[null, false], ["Engineer", true], ["true", true]]);
    expect(await getEnvelope(s, e.id)).toEqual(e);
    const [event] = (s.deps.db.$client.query("SELECT payload FROM webhook_events WHERE type = 'envelope.created'").all() as { payload: string }[])
      .map((r) => JSON.parse(r.payload)).filter((p) => p.data.envelope.id === e.id);
    expect(event.data.envelope).toEqual(withoutSignUrls(e));
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
