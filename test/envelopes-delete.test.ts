/**
 * DELETE /api/v1/envelopes/{id}: a DRAFT is removed, a sent envelope is voided.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, jobsOf, quickStart, sendEnvelope, signing, tokenOf } from "./helpers/envelopes";

const { s, doc } = await envelopeSuite();

describe("delete", () => {
  test("a DRAFT is removed", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    const r = await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body).toMatchObject({ id: e.id, status: "DRAFT", deleted: true });
    expect((await s.api(`/api/v1/envelopes/${e.id}`)).status).toBe(404);
    expect((s.deps.db.$client.query("SELECT count(*) AS n FROM recipients WHERE envelope_id = ?").get(e.id) as any).n).toBe(0);
    // Its document may now be deleted too (a draft no longer holds it).
  });

  test("a deleted DRAFT leaves no audit events behind", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", json: { subject: "Changed" } })).status).toBe(200);
    const count = () => (s.deps.db.$client.query("SELECT count(*) AS n FROM audit_events WHERE envelope_id = ?").get(e.id) as any).n;
    expect(count()).toBe(2); // envelope.created, envelope.updated
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" })).status).toBe(200);
    expect(count()).toBe(0);
  });

  test("a SENT envelope is voided: links stop working, recipients are told; again: 409", async () => {
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const r = await s.api(`/api/v1/envelopes/${e.id}?reason=${encodeURIComponent("Wrong version")}`, { method: "DELETE" });
    expect(r.status).toBe(200);
    const v = (await r.json()) as any;
    expect(v).toMatchObject({ status: "VOIDED", statusReason: "Wrong version", endedAt: s.clock.now().toISOString() });
    expect(v.deleted).toBeUndefined();
    expect(v.audit.events.at(-1)).toMatchObject({ type: "envelope.voided" });
    expect(jobsOf(s, "notify_voided").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });
    const token = tokenOf(e.recipients[0].signUrl);
    expect((await signing(s, token, "/complete", { json: { signature: { type: "typed", value: "J" }, consent: true } })).status).toBe(410);
    const again = await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).code).toBe("envelope_ended");
  });
});
