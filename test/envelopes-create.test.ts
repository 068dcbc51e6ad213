/**
 * POST /api/v1/envelopes: the quick start and every option, validation with JSON pointers
 * (422, nothing stored), idempotent retries.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, getEnvelope, pointers, post, quickStart, uploadDoc } from "./helpers/envelopes";

const { s, doc, doc2 } = await envelopeSuite();
const liveKey = await s.key("live", "live key");
const liveDoc = await uploadDoc(s, { key: liveKey });

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
    expect(e.locale).toBeNull(); // not set: the page follows each signer's browser, e-mails in English
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
        { email: "hr@example.com", name: "HR Approver", role: "APPROVER", fields: [{ documentId: doc.id, type: "checkbox", page: 1, x: 72, y: 100, width: 12, height: 12, label: "Checked", required: true }] },
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
      field({ x: width, y: height, width: 4, height: 4 }),
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

  test("negative coordinates and fields too small to see are refused by the schema; 4 points is the least", async () => {
    const b = await invalidCreate(withFields([field({ x: -1 }), field({ width: 0 }), field({ width: 1e-300 }), field({ height: 3.9 })]));
    expect(pointers(b)).toEqual(["/recipients/0/fields/0/x", "/recipients/0/fields/1/width", "/recipients/0/fields/2/width", "/recipients/0/fields/3/height"]);
    expect(b.errors[3].message).toBe("must be a number from 4 to 5000 (got 3.9)");
    expect((await createEnvelope(s, withFields([field({ width: 4, height: 4 })]))).fields[0]).toMatchObject({ width: 4, height: 4 });
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
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { locale: "ja" })))).toContain("/locale");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { metadata: { n: 1 } })))).toContain("/metadata/n");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { color: "blue" })))).toContain("/color");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { reminderIntervalHours: 0 })))).toContain("/reminderIntervalHours");
    expect(pointers(await invalidCreate(quickStart([doc.id], undefined, { expiresAt: "tomorrow" })))).toContain("/expiresAt");
  });

  test("an access code that is not text is named, not hashed", async () => {
    const numericCode = { email: "a@example.com", name: "A", authentication: { method: "access_code", accessCode: 1234 } };
    expect(pointers(await invalidCreate(quickStart([doc.id], [numericCode])))).toContain("/recipients/0/authentication/accessCode");
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
});
