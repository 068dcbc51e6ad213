/**
 * PATCH /api/v1/envelopes/{id}: changes a DRAFT, validated as a whole; 409 once sent.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, getEnvelope, pointers, quickStart, sendEnvelope } from "./helpers/envelopes";

const { s, doc, doc2 } = await envelopeSuite();

describe("PATCH", () => {
  test("changes a draft; recipients and metadata are replaced whole; null clears", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], undefined, { message: "hello", metadata: { a: "1" }, reminderIntervalHours: 24 }));
    const r = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { subject: "New subject", message: null, metadata: { b: "2" }, locale: "fr" } });
    expect(r.status).toBe(200);
    const p = (await r.json()) as any;
    expect(p).toMatchObject({ subject: "New subject", message: null, metadata: { b: "2" }, locale: "fr", reminderIntervalHours: 24, status: "DRAFT" });
    expect(p.recipients[0].id).toBe(e.recipients[0].id);

    const r2 = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: {
      documentIds: [doc2.id, doc.id], signingOrder: "sequential", reminderIntervalHours: null,
      recipients: [{ email: "x@example.com", name: "X" }, { email: "y@example.com", name: "Y", fields: [{ documentId: doc2.id, type: "text", page: 1, x: 1, y: 1, width: 10, height: 10 }] }],
    } });
    expect(r2.status).toBe(200);
    const p2 = (await r2.json()) as any;
    expect(p2.documents.map((d: any) => d.id)).toEqual([doc2.id, doc.id]);
    expect(p2.recipients.map((x: any) => [x.email, x.routingOrder])).toEqual([["x@example.com", 1], ["y@example.com", 2]]);
    expect(p2.fields).toHaveLength(1);
    expect(p2.reminderIntervalHours).toBeNull();
    expect(p2.audit.events.at(-1).type).toBe("envelope.updated");

    // signingOrder alone re-orders the recipients it has, keeping their ids and fields.
    const r3 = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { signingOrder: "parallel" } });
    const p3 = (await r3.json()) as any;
    expect(p3.recipients.map((x: any) => x.routingOrder)).toEqual([1, 1]);
    expect(p3.recipients.map((x: any) => x.id)).toEqual(p2.recipients.map((x: any) => x.id));
    expect(p3.fields).toHaveLength(1);
    expect(p3.fields[0].recipientId).toBe(p2.recipients[1].id);
  });

  test("the result is validated as a whole", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A", fields: [{ documentId: doc.id, type: "signature", page: 2, x: 1, y: 1, width: 10, height: 10 }] }]));
    const r = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { documentIds: [doc2.id] } });
    expect(r.status).toBe(422);
    expect(pointers(await r.json())).toEqual(["/recipients/0/fields/0/documentId"]);
    const r2 = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { recipients: [{ email: "a@example.com", name: "A", role: "CC" }] } });
    expect(r2.status).toBe(422);
    expect(pointers(await r2.json())).toEqual(["/recipients"]);
    const r3 = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { status: "SENT" } });
    expect(r3.status).toBe(422);
  });

  test("only on a DRAFT: 409 once sent", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    await sendEnvelope(s, e.id);
    const r = await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { subject: "Too late" } });
    expect(r.status).toBe(409);
    expect(((await r.json()) as any).code).toBe("envelope_not_draft");
    expect((await getEnvelope(s, e.id)).subject).toBe("Employment contract");
  });
});
