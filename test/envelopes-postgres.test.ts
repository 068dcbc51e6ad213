/**
 * The envelope, audit, document, template and bulk-send services on PostgreSQL: the statements
 * written once for both dialects (list pages and their cursor, the JSON id lists of a page's
 * parts, the audit chain's compare-and-set, the JSON lookups of a purge and of a document
 * delete) run there and give what they give on SQLite. Only the HTTP API and the domain's own
 * functions are used: the other suites read the SQLite file directly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, ne } from "drizzle-orm";
import { listAudit, verifyEnvelopeChain } from "../src/modules/audit/service";
import { expireEnvelope } from "../src/modules/envelopes/expire-envelope";
import { postgresClient } from "../src/store/dialect";
import { firstRow } from "../src/store/portable-sql";
import { envelopes, jobs, webhookEvents } from "../src/store/schema";
import type { FakeClock } from "./helpers/clock";
import { createEnvelope, post, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { subscribeToAllEvents } from "./helpers/events";

describe.skipIf(!havePostgres)("envelopes on PostgreSQL", () => {
  let s: TestServer;
  let clock: FakeClock;
  beforeAll(async () => {
    s = await startTestServer({ postgres: true, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    clock = s.clock as FakeClock;
  });
  afterAll(() => s?.stop());

  const json = async (path: string) => (await (await s.api(path)).json()) as any;

  test("pages newest first with a cursor and a status filter, each envelope with its parts, audit summary and delivery", async () => {
    const doc = await uploadDoc(s);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      ids.push((await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Page ${i}` }))).id);
    }
    await sendEnvelope(s, ids[1]!);
    const first = await json("/api/v1/envelopes?limit=2");
    expect(first.data.map((e: any) => e.id)).toEqual([ids[3], ids[2]]);
    expect(first.hasMore).toBe(true);
    const next = await json(`/api/v1/envelopes?limit=2&startingAfter=${ids[2]}`);
    expect(next.data.map((e: any) => e.id)).toEqual([ids[1], ids[0]]);
    const sent = await json("/api/v1/envelopes?status=SENT");
    expect(sent.data.map((e: any) => e.id)).toEqual([ids[1]]);
    expect(sent.data[0]).toEqual(await json(`/api/v1/envelopes/${ids[1]}`));
    expect(sent.data[0].documents).toHaveLength(1);
    expect(sent.data[0].audit).toMatchObject({ valid: true, count: 3 });
    expect(sent.data[0].recipients[0].delivery).toMatchObject({ status: "pending" });
    expect((await s.api("/api/v1/envelopes?startingAfter=env_unknown")).status).toBe(422);
  });

  test("a creation answers the rows it wrote, defaults included: as GET returns them", async () => {
    const doc = await uploadDoc(s);
    const e = await createEnvelope(s, quickStart([doc.id], [{
      email: "jane@example.com", name: "Jane Doe", phone: "+33612345678", authentication: { method: "access_code", accessCode: "4321" },
      fields: [{ documentId: doc.id, type: "text", page: 1, x: 10, y: 10, width: 100, height: 20, label: "Job title" }],
    }], { metadata: { employeeId: "E-7" }, prefill: { "Job title": "Engineer" }, embedding: { allowedOrigins: ["https://hr.example.com"] } }));
    expect(e.fields[0]).toMatchObject({ value: "Engineer", readOnly: true });
    expect(await json(`/api/v1/envelopes/${e.id}`)).toEqual(e);
  });

  test("a creation writes its envelope's row once, at revision 1; its parts move it only once created; later changes do", async () => {
    const sql = postgresClient(s.deps.db);
    // A probe: every update of an envelope row, with its revision.
    await sql.unsafe("CREATE TABLE updated_envelopes (id text, revision integer)");
    await sql.unsafe("CREATE FUNCTION probe_updated_envelope() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO updated_envelopes VALUES (NEW.id, NEW.revision); RETURN NULL; END $$");
    await sql.unsafe("CREATE TRIGGER probe_updated_envelope AFTER UPDATE ON envelopes FOR EACH ROW EXECUTE FUNCTION probe_updated_envelope()");
    const updates = async (id: string) => ((await sql.unsafe("SELECT revision FROM updated_envelopes WHERE id = $1", [id])) as { revision: number }[]).map((r) => r.revision);
    const revision = async (id: string) => (await firstRow(s.deps.db.select({ revision: envelopes.revision }).from(envelopes).where(eq(envelopes.id, id))))!.revision;
    try {
      const doc = await uploadDoc(s);
      const other = await uploadDoc(s, { name: "annex.pdf" });
      const e = await createEnvelope(s, quickStart([doc.id], [{ email: "r1@example.com", name: "R One" }, {
        email: "r2@example.com", name: "R Two", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 10, y: 10, width: 100, height: 30 }],
      }]));
      expect(await revision(e.id)).toBe(1);
      expect(await updates(e.id)).toEqual([]);
      expect((await verifyEnvelopeChain(s.deps.db, e.id)).chain).toMatchObject({ valid: true, count: 1, head: e.audit.head });
      await sql.unsafe("INSERT INTO envelope_documents (envelope_id, document_id, position) VALUES ($1, $2, 1)", [e.id, other.id]);
      expect(await revision(e.id)).toBe(2);
      await sql.unsafe("DELETE FROM recipients WHERE id = $1", [e.recipients[0].id]);
      expect(await revision(e.id)).toBe(3);
      expect(await updates(e.id)).toEqual([2, 3]);
    } finally {
      await sql.unsafe("DROP TRIGGER probe_updated_envelope ON envelopes");
      await sql.unsafe("DROP FUNCTION probe_updated_envelope()");
      await sql.unsafe("DROP TABLE updated_envelopes");
    }
  });

  test("update, remind, correct, void and delete; the audit chain verifies", async () => {
    const doc = await uploadDoc(s);
    const doc2 = await uploadDoc(s, { name: "annex.pdf" });
    const draft = await createEnvelope(s, quickStart([doc.id]));
    const patched = await s.api(`/api/v1/envelopes/${draft.id}`, { method: "PATCH", json: { subject: "Changed", documentIds: [doc.id, doc2.id] } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as any).documents.map((d: any) => d.id)).toEqual([doc.id, doc2.id]);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const rid = e.recipients[0].id;
    expect((await post(s, `/api/v1/envelopes/${e.id}/recipients/${rid}/remind`)).status).toBe(200);
    const corrected = await s.api(`/api/v1/envelopes/${e.id}/recipients/${rid}`, { method: "PATCH", json: { email: "new@example.com" } });
    expect(((await corrected.json()) as any).recipients[0].email).toBe("new@example.com");
    expect(((await (await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" })).json()) as any).status).toBe("VOIDED");
    const types = (await listAudit(s.deps.db, e.id)).map((a) => a.type);
    expect(types).toEqual(["envelope.created", "envelope.sent", "recipient.invited", "recipient.reminded", "recipient.corrected", "envelope.voided"]);
    expect((await verifyEnvelopeChain(s.deps.db, e.id)).chain.valid).toBe(true);
    expect(((await (await s.api(`/api/v1/envelopes/${draft.id}`, { method: "DELETE" })).json()) as any).deleted).toBe(true);
    expect((await s.api(`/api/v1/envelopes/${draft.id}`)).status).toBe(404);
    expect(await listAudit(s.deps.db, draft.id)).toEqual([]);
  });

  test("expiry, then a purge takes the envelope's webhook events and pending jobs (by envelope and by recipient)", async () => {
    await subscribeToAllEvents(s.deps);
    const doc = await uploadDoc(s);
    const expiresAt = new Date(clock.now().getTime() + 60_000).toISOString();
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], undefined, { expiresAt }))).id);
    const rid = e.recipients[0].id;
    await post(s, `/api/v1/envelopes/${e.id}/recipients/${rid}/remind`);
    clock.advance(120_000);
    expect(await expireEnvelope(s.deps, { envelopeId: e.id })).toBe(true);
    expect(await expireEnvelope(s.deps, { envelopeId: e.id })).toBe(false);
    const pendingOf = async () =>
      (await s.deps.db.select().from(jobs).where(ne(jobs.status, "done"))).filter((j) => [e.id, rid].some((id) => JSON.stringify(j.payload).includes(id)));
    const eventsOf = () => s.deps.db.select({ id: webhookEvents.id, payload: webhookEvents.payload }).from(webhookEvents);
    const mine = async () => (await eventsOf()).filter((w) => JSON.stringify(w.payload).includes(e.id));
    expect((await pendingOf()).map((j) => j.kind).sort()).toEqual(["notify_expired", "send_invitation", "send_reminder"]);
    expect((await mine()).length).toBeGreaterThan(0);
    const others = (await eventsOf()).length - (await mine()).length;

    const purged = await s.api(`/api/v1/envelopes/${e.id}?purge=true`, { method: "DELETE" });
    expect(purged.status).toBe(200);
    expect(((await purged.json()) as any).status).toBe("EXPIRED");
    expect((await s.api(`/api/v1/envelopes/${e.id}`)).status).toBe(410);
    expect(await pendingOf()).toEqual([]);
    expect(await mine()).toEqual([]);
    expect((await eventsOf()).length).toBe(others);
    expect(await firstRow(s.deps.db.select().from(envelopes).where(eq(envelopes.id, e.id)))).toBeUndefined();
    // Its id still pages on, from its tombstone's creation time.
    const after = await s.api(`/api/v1/envelopes?limit=100&startingAfter=${e.id}`);
    expect(after.status).toBe(200);
    const older = ((await after.json()) as any).data.map((x: any) => x.createdAt as string);
    expect(older.length).toBeGreaterThan(0);
    expect(older.every((at: string) => at <= e.createdAt)).toBe(true);
  });

  test("templates, a document a template uses, a bulk send through the outbox, document delete and list", async () => {
    const doc = await uploadDoc(s);
    const tpl = await post(s, "/api/v1/templates", { name: "T", subject: "S", documentIds: [doc.id], roles: [{ roleName: "Employee" }] });
    expect(tpl.status).toBe(201);
    expect((await json("/api/v1/templates")).data.map((t: any) => t.id)).toContain(tpl.body.id);
    const inUse = await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as any).detail).toContain(`template ${tpl.body.id}`);

    const rows = [{ recipients: [{ roleName: "Employee", name: "A", email: "a@example.com" }] }, { recipients: [{ roleName: "Employee", name: "B", email: "bad" }] }];
    const batch = await post(s, `/api/v1/templates/${tpl.body.id}/bulk-send`, { rows });
    expect(batch.status).toBe(202);
    expect((await s.api(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE" })).status).toBe(409); // rows still to send
    await s.running.app.jobs.drain();
    const done = await json(`/api/v1/batches/${batch.body.id}`);
    expect(done).toMatchObject({ status: "completed", total: 2, processed: 2, sent: 1, failed: 1 });
    expect((await json(`/api/v1/envelopes/${done.envelopes[0].envelopeId}`)).status).toBe("SENT");

    expect((await s.api(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE" })).status).toBe(200);
    const unused = await uploadDoc(s);
    expect((await json(`/api/v1/documents/${unused.id}`)).id).toBe(unused.id);
    expect((await s.api(`/api/v1/documents/${unused.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await s.api(`/api/v1/documents/${unused.id}`)).status).toBe(404);
    const page = await json("/api/v1/documents?limit=1");
    expect(page.data).toHaveLength(1);
    expect(page.hasMore).toBe(true);
  });
});
