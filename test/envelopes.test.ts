/**
 * Envelope API over the real server: create (quick start and full), validation with JSON pointers,
 * PATCH only on drafts, delete/void, send (twice: 409), list with cursor and status filter,
 * environments, idempotent retries, webhook events written with the change.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestServer } from "./helpers/server";
import {
  createEnvelope, getEnvelope, jobsOf, post, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, uploadDoc,
} from "./helpers/envelopes";

let s: TestServer;
let doc: { id: string; sha256: string; pages: { width: number; height: number }[] };
let doc2: { id: string; sha256: string; pages: { width: number; height: number }[] };
let liveKey: string;
let liveDoc: { id: string };

beforeAll(async () => {
  s = startEnvelopeServer();
  doc = await uploadDoc(s, { pages: 2 });
  doc2 = await uploadDoc(s, { pages: 1, name: "annex.pdf" });
  liveKey = s.key("live", "live key");
  liveDoc = await uploadDoc(s, { key: liveKey });
});
afterAll(() => s.stop());

const pointers = (body: any) => (body.errors ?? []).map((e: any) => e.pointer);

async function invalidCreate(body: unknown) {
  const r = await post(s, "/api/v1/envelopes", body);
  expect(r.status).toBe(422);
  expect(r.res.headers.get("content-type")).toContain("application/problem+json");
  expect(r.body.code).toBe("validation_failed");
  return r.body;
}

describe("create", () => {
  test("the quick-start body works as is", async () => {
    const r = await post(s, "/api/v1/envelopes", { subject: "Employment contract", documentIds: [doc.id], recipients: [{ email: "jane@example.com", name: "Jane Doe", role: "SIGNER" }] });
    expect(r.status).toBe(201);
    const e = r.body;
    expect(r.res.headers.get("location")).toBe(`/api/v1/envelopes/${e.id}`);
    expect(e.id).toMatch(/^env_[0-9a-z]{20}$/);
    expect(e.status).toBe("DRAFT");
    expect(e.subject).toBe("Employment contract");
    expect(e.locale).toBe("en");
    expect(e.signingOrder).toBe("parallel");
    expect(e.metadata).toEqual({});
    expect(e.documents).toEqual([{ id: doc.id, name: "contract.pdf", size: expect.any(Number), sha256: doc.sha256, pageCount: 2, pages: doc.pages }]);
    expect(e.recipients).toHaveLength(1);
    expect(e.recipients[0]).toMatchObject({ email: "jane@example.com", name: "Jane Doe", role: "SIGNER", routingOrder: 1, status: "PENDING", signUrl: null, phone: null });
    expect(e.recipients[0].id).toMatch(/^rcp_/);
    expect(e.fields).toEqual([]);
    expect(e.audit).toMatchObject({ count: 1, valid: true });
    expect(e.audit.head).toMatch(/^[0-9a-f]{64}$/);
    expect(e.audit.events[0]).toMatchObject({ seq: 1, type: "envelope.created" });
    expect(e.audit.events[0].actor).toMatch(/^api:key_/);
    expect(await getEnvelope(s, e.id)).toEqual(e);
  });

  test("role defaults to SIGNER", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }]));
    expect(e.recipients[0].role).toBe("SIGNER");
  });

  test("every option: message, locale, expiry, reminders, metadata, SMS, phone, roles, sequential order, fields", async () => {
    const expiresAt = new Date(s.clock.now().getTime() + 7 * 86400_000).toISOString();
    const e = await createEnvelope(s, {
      subject: "Contrat de travail",
      message: "Merci de signer",
      documentIds: [doc.id, doc2.id],
      locale: "fr",
      expiresAt,
      reminderIntervalHours: 48,
      notifyBySms: true,
      metadata: { employeeId: "E-1042", source: "hris" },
      signingOrder: "sequential",
      recipients: [
        { email: "hr@example.com", name: "HR Approver", role: "APPROVER", fields: [{ documentId: doc.id, type: "checkbox", page: 1, x: 72, y: 100, width: 12, height: 12, label: "Checked" }] },
        {
          email: "jane@example.com", name: "Jane Doe", phone: "+33612345678", role: "SIGNER",
          fields: [
            { documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60 },
            { documentId: doc.id, type: "date", page: 2, x: 300, y: 700, width: 100, height: 20, required: false },
            { documentId: doc2.id, type: "initials", page: 1, x: 500, y: 800, width: 40, height: 30 },
            { documentId: doc2.id, type: "text", page: 1, x: 0, y: 0, width: 595.28, height: 841.89, label: "Full page" },
          ],
        },
        { email: "boss@example.com", name: "Boss", role: "CC" },
      ],
    });
    expect(e).toMatchObject({
      subject: "Contrat de travail", message: "Merci de signer", locale: "fr", expiresAt, reminderIntervalHours: 48,
      notifyBySms: true, metadata: { employeeId: "E-1042", source: "hris" }, signingOrder: "sequential",
    });
    expect(e.documents.map((d: any) => d.id)).toEqual([doc.id, doc2.id]);
    expect(e.recipients.map((r: any) => [r.role, r.routingOrder])).toEqual([["APPROVER", 1], ["SIGNER", 2], ["CC", 2]]);
    expect(e.recipients[1].phone).toBe("+33612345678");
    expect(e.fields).toHaveLength(5);
    for (const f of e.fields) expect(f.id).toMatch(/^fld_/);
    expect(e.fields[0]).toMatchObject({ recipientId: e.recipients[0].id, type: "checkbox", required: true, label: "Checked", value: null });
    expect(e.fields[2]).toMatchObject({ recipientId: e.recipients[1].id, documentId: doc.id, type: "date", page: 2, x: 300, y: 700, required: false });
    expect(e.fields[4]).toMatchObject({ x: 0, y: 0, width: 595.28, height: 841.89 });
  });

  test("per-recipient routingOrder", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [
      { email: "a@example.com", name: "A", routingOrder: 1 },
      { email: "b@example.com", name: "B", routingOrder: 1 },
      { email: "c@example.com", name: "C", routingOrder: 2 },
    ]));
    expect(e.recipients.map((r: any) => r.routingOrder)).toEqual([1, 1, 2]);
    expect(e.signingOrder).toBe("custom");
  });
});

describe("validation: 422 with JSON pointers", () => {
  test("unknown document id", async () => {
    const b = await invalidCreate(quickStart(["doc_00000000000000000000"]));
    expect(pointers(b)).toEqual(["/documentIds/0"]);
  });

  test("a document of the other environment is unknown here", async () => {
    const b = await invalidCreate(quickStart([doc.id, liveDoc.id]));
    expect(pointers(b)).toEqual(["/documentIds/1"]);
    const r = await post(s, "/api/v1/envelopes", quickStart([doc.id]), { key: liveKey });
    expect(r.status).toBe(422);
    expect(pointers(r.body)).toEqual(["/documentIds/0"]);
  });

  test("a deleted document is unknown", async () => {
    const gone = await uploadDoc(s);
    expect((await s.api(`/api/v1/documents/${gone.id}`, { method: "DELETE" })).status).toBe(200);
    expect(pointers(await invalidCreate(quickStart([gone.id])))).toEqual(["/documentIds/0"]);
  });

  test("duplicate document ids", async () => {
    expect(pointers(await invalidCreate(quickStart([doc.id, doc2.id, doc.id])))).toEqual(["/documentIds/2"]);
  });

  test("no SIGNER", async () => {
    const b = await invalidCreate(quickStart([doc.id], [
      { email: "a@example.com", name: "A", role: "APPROVER" },
      { email: "b@example.com", name: "B", role: "CC" },
    ]));
    expect(pointers(b)).toEqual(["/recipients"]);
    expect(b.errors[0].message).toContain("SIGNER");
  });

  test("bad e-mail addresses", async () => {
    const b = await invalidCreate(quickStart([doc.id], [
      { email: "jane@example.com", name: "Jane" },
      { email: "not-an-email", name: "X" },
      { email: "a b@example.com", name: "Y" },
      { email: "z@localhost", name: "Z" },
    ]));
    expect(pointers(b)).toEqual(["/recipients/1/email", "/recipients/2/email", "/recipients/3/email"]);
  });

  test("duplicate recipients (same e-mail, any case)", async () => {
    const b = await invalidCreate(quickStart([doc.id], [
      { email: "jane@example.com", name: "Jane" },
      { email: "JANE@Example.com", name: "Jane again", role: "APPROVER" },
    ]));
    expect(pointers(b)).toEqual(["/recipients/1/email"]);
    expect(b.errors[0].message).toContain("duplicate");
  });

  const field = (f: Record<string, unknown>) => ({ documentId: doc.id, type: "signature", page: 1, x: 72, y: 72, width: 100, height: 40, ...f });
  const withFields = (fields: unknown[], role = "SIGNER") => quickStart([doc.id], [{ email: "jane@example.com", name: "Jane", role: "SIGNER" }, ...(role === "SIGNER" ? [] : [{ email: "x@example.com", name: "X", role }])].map((r, i, all) => (i === all.length - 1 ? { ...r, fields } : r)));

  test("a field outside its page: right edge, bottom edge, page number", async () => {
    const { width, height } = doc.pages[0]!;
    const b = await invalidCreate(withFields([
      field({ x: width - 50, width: 100 }),
      field({ y: height - 10, height: 40 }),
      field({ page: 3 }),
      field({ x: width, y: height, width: 1, height: 1 }),
    ]));
    expect(pointers(b)).toEqual([
      "/recipients/0/fields/0/x",
      "/recipients/0/fields/1/y",
      "/recipients/0/fields/2/page",
      "/recipients/0/fields/3/x",
      "/recipients/0/fields/3/y",
    ]);
    expect(b.errors[2].message).toContain("2 pages");
  });

  test("a field touching the bottom-right corner of the page fits", async () => {
    const fits = await createEnvelope(s, withFields([field({ x: 400, y: 780, width: 195, height: 60 })]));
    expect(fits.fields).toHaveLength(1);
  });

  test("a field on a document not in the envelope", async () => {
    expect(pointers(await invalidCreate(withFields([field({ documentId: doc2.id })])))).toEqual(["/recipients/0/fields/0/documentId"]);
  });

  test("negative or zero coordinates are refused by the schema", async () => {
    const b = await invalidCreate(withFields([field({ x: -1 }), field({ width: 0 })]));
    expect(pointers(b)).toEqual(expect.arrayContaining(["/recipients/0/fields/0/x", "/recipients/0/fields/1/width"]));
  });

  test("fields on a CC, signature fields on an APPROVER", async () => {
    expect(pointers(await invalidCreate(withFields([field({})], "CC")))).toEqual(["/recipients/1/fields"]);
    expect(pointers(await invalidCreate(withFields([field({}), field({ type: "initials" }), field({ type: "checkbox" })], "APPROVER"))))
      .toEqual(["/recipients/1/fields/0/type", "/recipients/1/fields/1/type"]);
  });

  test("expiresAt in the past", async () => {
    const b = await invalidCreate(quickStart([doc.id], undefined, { expiresAt: new Date(s.clock.now().getTime() - 1000).toISOString() }));
    expect(pointers(b)).toEqual(["/expiresAt"]);
  });

  test("signingOrder and routingOrder together", async () => {
    const b = await invalidCreate(quickStart([doc.id], [{ email: "a@example.com", name: "A", routingOrder: 2 }], { signingOrder: "sequential" }));
    expect(pointers(b)).toEqual(["/recipients/0/routingOrder"]);
  });

  test("schema errors: missing subject, no documents, no recipients, bad role, phone, locale, metadata, unknown member", async () => {
    expect(pointers(await invalidCreate({ documentIds: [doc.id], recipients: [{ email: "a@example.com", name: "A" }] }))).toContain("/subject");
    expect(pointers(await invalidCreate(quickStart([])))).toContain("/documentIds");
    expect(pointers(await invalidCreate(quickStart([doc.id], [])))).toContain("/recipients");
    expect(pointers(await invalidCreate(quickStart([doc.id], [{ email: "a@example.com", name: "A", role: "WITNESS" }])))).toContain("/recipients/0/role");
    expect(pointers(await invalidCreate(quickStart([doc.id], [{ email: "a@example.com", name: "A", phone: "0612345678" }])))).toContain("/recipients/0/phone");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { locale: "de" })))).toContain("/locale");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { metadata: { n: 1 } })))).toContain("/metadata/n");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { color: "blue" })))).toContain("/color");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { reminderIntervalHours: 0 })))).toContain("/reminderIntervalHours");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { expiresAt: "tomorrow" })))).toContain("/expiresAt");
  });

  test("several problems are reported together", async () => {
    const b = await invalidCreate(quickStart(["doc_00000000000000000000"], [{ email: "bad", name: "A", role: "CC" }]));
    expect(pointers(b).sort()).toEqual(["/documentIds/0", "/recipients", "/recipients/0/email"]);
  });

  test("nothing is stored for an invalid envelope", async () => {
    const before = (s.deps.db.$client.query("SELECT count(*) AS n FROM envelopes").get() as any).n;
    await invalidCreate(quickStart([doc.id], [{ email: "bad", name: "A" }]));
    expect((s.deps.db.$client.query("SELECT count(*) AS n FROM envelopes").get() as any).n).toBe(before);
  });

  test("bad JSON and wrong content type", async () => {
    const bad = await s.api("/api/v1/envelopes", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    const text = await s.api("/api/v1/envelopes", { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
  });
});

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

describe("send", () => {
  test("DRAFT → SENT, every recipient gets a signUrl, the first group is invited; twice: 409", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [
      { email: "a@example.com", name: "A" },
      { email: "b@example.com", name: "B", routingOrder: 2 },
      { email: "c@example.com", name: "C", role: "CC", routingOrder: 1 },
    ]));
    const before = jobsOf(s, "send_invitation").length;
    const sent = await sendEnvelope(s, e.id);
    expect(sent.status).toBe("SENT");
    expect(sent.sentAt).toBe(s.clock.now().toISOString());
    for (const r of sent.recipients) expect(r.signUrl).toMatch(new RegExp(`^${s.url}/s/[A-Za-z0-9_-]{43}$`));
    expect(new Set(sent.recipients.map((r: any) => r.signUrl)).size).toBe(3);
    expect(sent.recipients.map((r: any) => r.status)).toEqual(["SENT", "PENDING", "PENDING"]);
    const invitations = jobsOf(s, "send_invitation").slice(before);
    expect(invitations.map((j) => j.payload)).toEqual([{ recipientId: sent.recipients[0].id }]);
    expect(sent.audit.events.map((x: any) => x.type)).toEqual(["envelope.created", "envelope.sent", "recipient.invited"]);
    expect((await getEnvelope(s, e.id)).recipients[1].signUrl).toBe(sent.recipients[1].signUrl);

    const again = await post(s, `/api/v1/envelopes/${e.id}/send`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("envelope_already_sent");
  });

  test("the token is not stored: only its SHA-256", async () => {
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const token = tokenOf(e.recipients[0].signUrl);
    const row = s.deps.db.$client.query("SELECT * FROM recipients WHERE id = ?").get(e.recipients[0].id) as any;
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.token_hash).toBe(new Bun.CryptoHasher("sha256").update(token).digest("hex"));
  });

  test("an envelope whose expiresAt passed before sending: 422", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], undefined, { expiresAt: new Date(s.clock.now().getTime() + 60_000).toISOString() }));
    (s.clock as any).advance(120_000);
    const r = await post(s, `/api/v1/envelopes/${e.id}/send`);
    expect(r.status).toBe(422);
    expect(pointers(r.body)).toEqual(["/expiresAt"]);
  });

  test("unknown envelope: 404", async () => {
    const r = await post(s, "/api/v1/envelopes/env_00000000000000000000/send");
    expect(r.status).toBe(404);
  });
});

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

describe("environments", () => {
  test("the other environment's key gets 404 everywhere and never sees it in lists", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { key: liveKey })).status).toBe(404);
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "PATCH", key: liveKey, json: { subject: "x" } })).status).toBe(404);
    expect((await post(s, `/api/v1/envelopes/${e.id}/send`, undefined, { key: liveKey })).status).toBe(404);
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE", key: liveKey })).status).toBe(404);
    const list = (await (await s.api("/api/v1/envelopes?limit=100", { key: liveKey })).json()) as any;
    expect(list.data.map((x: any) => x.id)).not.toContain(e.id);
    expect((await getEnvelope(s, e.id)).status).toBe("DRAFT");
  });

  test("no key: 401", async () => {
    expect((await s.api("/api/v1/envelopes", { key: null })).status).toBe(401);
    expect((await s.api("/api/v1/envelopes", { method: "POST", key: null, json: quickStart([doc.id]) })).status).toBe(401);
  });
});

describe("list", () => {
  test("newest first, cursor pagination, status filter", async () => {
    const key = s.key("test", "list key");
    // A fresh environment view is not possible (test keys share it), so compare against what this test creates.
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      (s.clock as any).advance(1000);
      made.push((await createEnvelope(s, quickStart([doc.id], undefined, { subject: `List ${i}` }), key)).id);
    }
    await sendEnvelope(s, made[1]!, key);
    await sendEnvelope(s, made[3]!, key);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ limit: "2", ...(after ? { startingAfter: after } : {}) });
      const page = (await (await s.api(`/api/v1/envelopes?${q}`, { key })).json()) as any;
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((x: any) => x.id));
      if (!page.hasMore) break;
      after = page.data.at(-1).id;
    }
    expect(seen.slice(0, 5)).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const sent = (await (await s.api("/api/v1/envelopes?status=SENT&limit=100", { key })).json()) as any;
    expect(sent.data.every((x: any) => x.status === "SENT")).toBe(true);
    expect(sent.data.slice(0, 2).map((x: any) => x.id)).toEqual([made[3], made[1]]);
    const drafts = (await (await s.api("/api/v1/envelopes?status=DRAFT&limit=2", { key })).json()) as any;
    expect(drafts.data.map((x: any) => x.id)).toEqual([made[4], made[2]]);
    expect(drafts.hasMore).toBe(true);
    const next = (await (await s.api(`/api/v1/envelopes?status=DRAFT&limit=2&startingAfter=${made[2]}`, { key })).json()) as any;
    expect(next.data[0].id).toBe(made[0]);

    // The cursor is a position among the environment's envelopes, not only the filtered ones: the
    // next page of DRAFTs still follows (no 422) once the last one seen has been sent.
    await sendEnvelope(s, made[2]!, key);
    const moved = await s.api(`/api/v1/envelopes?status=DRAFT&limit=2&startingAfter=${made[2]}`, { key });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as any).data[0].id).toBe(made[0]);
  });

  test("bad filters: 422", async () => {
    expect((await s.api("/api/v1/envelopes?status=LOST")).status).toBe(422);
    expect((await s.api("/api/v1/envelopes?limit=0")).status).toBe(422);
    expect((await s.api("/api/v1/envelopes?startingAfter=env_00000000000000000000")).status).toBe(422);
  });
});

describe("idempotency", () => {
  test("POST /envelopes with the same Idempotency-Key creates one envelope", async () => {
    const count = () => (s.deps.db.$client.query("SELECT count(*) AS n FROM envelopes").get() as any).n;
    const before = count();
    const body = quickStart([doc.id], undefined, { subject: "Idempotent" });
    const a = await post(s, "/api/v1/envelopes", body, { headers: { "idempotency-key": "create-1" } });
    const b = await post(s, "/api/v1/envelopes", body, { headers: { "idempotency-key": "create-1" } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(b.res.headers.get("idempotent-replayed")).toBe("true");
    expect(count()).toBe(before + 1);
    const other = await post(s, "/api/v1/envelopes", { ...body, subject: "Other" }, { headers: { "idempotency-key": "create-1" } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
  });

  test("POST /send retried with its Idempotency-Key replays the first answer instead of a 409", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    const invitations = jobsOf(s, "send_invitation").length;
    const a = await post(s, `/api/v1/envelopes/${e.id}/send`, undefined, { headers: { "idempotency-key": `send-${e.id}` } });
    const b = await post(s, `/api/v1/envelopes/${e.id}/send`, undefined, { headers: { "idempotency-key": `send-${e.id}` } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    // The replay is the first answer with the signing links blanked: they are secrets and are
    // not stored for replays (GET the envelope for them).
    expect(b.body).toEqual({ ...a.body, recipients: a.body.recipients.map((r: any) => ({ ...r, signUrl: null })) });
    expect(b.res.headers.get("idempotent-replayed")).toBe("true");
    expect(jobsOf(s, "send_invitation").length).toBe(invitations + 1);
    expect((await post(s, `/api/v1/envelopes/${e.id}/send`)).status).toBe(409);
  });
});

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

describe("instance secret", () => {
  test("32 bytes in {dataDir}/instance.key, mode 0600; signUrls survive a restart", async () => {
    const { startEnvelopeServer: start } = await import("./helpers/envelopes");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "certyneo-env-"));
    try {
      const a = start({}, { dir });
      const key = a.key();
      const d = await uploadDoc(a, { key });
      const e = await sendEnvelope(a, (await createEnvelope(a, quickStart([d.id]), key)).id, key);
      const file = join(dir, "instance.key");
      expect(readFileSync(file).length).toBe(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await a.stop();
      const b = start({ CERTYNEO_BASE_URL: new URL(e.recipients[0].signUrl).origin }, { dir });
      try {
        expect((await getEnvelope(b, e.id, key)).recipients[0].signUrl).toBe(e.recipients[0].signUrl);
        const sess = await signing(b, tokenOf(e.recipients[0].signUrl));
        expect(sess.status).toBe(200);
        expect(sess.body.state).toBe("ready");
      } finally {
        await b.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
