import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { complete, createEnvelope, post, sendEnvelope, tokenOf, uploadDoc } from "./helpers/envelopes";
import type { FakeClock } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { tempDir } from "./helpers/spawn";
import { pdftotextWords, taggedContract } from "./helpers/tagged-pdf";

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } }); });
afterAll(() => s.stop());

async function taggedDoc() {
  const res = await s.api("/api/v1/documents", { method: "POST", json: { name: "contract.pdf", contentBase64: Buffer.from(await taggedContract()).toString("base64") } });
  return (await res.json()) as any;
}

const templateBody = (docId: string, extra: Record<string, unknown> = {}) => ({
  name: "Employment contract",
  subject: "Your employment contract",
  message: "Welcome aboard",
  documentIds: [docId],
  roles: [{ roleName: "Employee" }, { roleName: "Employer", routingOrder: 2 }],
  fields: [
    { roleName: "Employee", documentId: docId, type: "text", page: 1, x: 72, y: 300, width: 200, height: 20, label: "Job title" },
    { roleName: "Employee", documentId: docId, type: "text", page: 1, x: 72, y: 330, width: 200, height: 20, label: "Address", required: false },
  ],
  expiresInDays: 10,
  reminderIntervalHours: 48,
  metadata: { team: "hr" },
  ...extra,
});

const people = (n: number) => [
  { roleName: "Employee", name: `Employee ${n}`, email: `employee${n}@example.com` },
  { roleName: "employer", name: "Bob Martin", email: "bob@example.com" },
];

describe("templates CRUD", () => {
  test("create, get, list, update, delete; per environment", async () => {
    const doc = await taggedDoc();
    const created = await post(s, "/api/v1/templates", templateBody(doc.id));
    expect(created.status).toBe(201);
    const tpl = created.body;
    expect(tpl.id).toMatch(/^tpl_/);
    expect(created.res.headers.get("location")).toBe(`/api/v1/templates/${tpl.id}`);
    expect(tpl.roles).toEqual([{ roleName: "Employee", role: "SIGNER", routingOrder: 1 }, { roleName: "Employer", role: "SIGNER", routingOrder: 2 }]);
    expect(tpl.documents[0].tags.length).toBe(8);
    expect(tpl.fields[0]).toMatchObject({ roleName: "Employee", label: "Job title", required: true });
    expect(await (await s.api(`/api/v1/templates/${tpl.id}`)).json()).toEqual(tpl);
    expect((await s.api(`/api/v1/templates/${tpl.id}`, { key: await s.key("live") })).status).toBe(404);

    (s.clock as FakeClock).advance(1000);
    const second = (await post(s, "/api/v1/templates", templateBody(doc.id, { name: "Second" }))).body;
    const page1 = await (await s.api("/api/v1/templates?limit=1")).json();
    expect(page1.data.map((t: any) => t.id)).toEqual([second.id]);
    expect(page1.hasMore).toBe(true);
    const page2 = await (await s.api(`/api/v1/templates?limit=1&startingAfter=${second.id}`)).json();
    expect(page2.data[0].id).toBe(tpl.id);

    const patched = await s.api(`/api/v1/templates/${tpl.id}`, { method: "PATCH", json: { name: "Renamed", expiresInDays: null } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: "Renamed", expiresInDays: null, subject: "Your employment contract" });

    // A document a template uses cannot be deleted.
    const del = await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" });
    expect(del.status).toBe(409);
    expect((await del.json()).code).toBe("document_in_use");

    const gone = await s.api(`/api/v1/templates/${second.id}`, { method: "DELETE" });
    expect(await gone.json()).toMatchObject({ id: second.id, deleted: true });
    expect((await s.api(`/api/v1/templates/${second.id}`)).status).toBe(404);
  });

  test("every problem of a template in one answer, with pointers into the template", async () => {
    const doc = await uploadDoc(s);
    const r = await post(s, "/api/v1/templates", {
      name: "Bad", subject: "Bad", documentIds: [doc.id, "doc_missing"],
      roles: [{ roleName: "Witness", role: "CC" }, { roleName: "Witness", role: "CC" }, { roleName: "Boss", role: "BOSS" }],
      fields: [
        { roleName: "Nobody", documentId: doc.id, type: "text", page: 1, x: 10, y: 10, width: 10, height: 10 },
        { roleName: "Witness", documentId: doc.id, type: "text", page: 1, x: 590, y: 10, width: 50, height: 10 },
      ],
    });
    expect(r.status).toBe(422);
    const pointers = r.body.errors.map((e: any) => e.pointer).sort();
    expect(pointers).toContain("/documentIds/1");
    expect(pointers).toContain("/fields/0/roleName");
    expect(pointers).toContain("/roles/2/role");
    expect(pointers).toContain("/roles/1/roleName");
    expect(new Set(pointers).size).toBe(pointers.length);
  });
});

describe("envelopes from a template", () => {
  test("three envelopes, each its own people and prefill; later template edits do not reach them; prefilled values are read-only and sealed in", async () => {
    const doc = await taggedDoc();
    const tpl = (await post(s, "/api/v1/templates", templateBody(doc.id))).body;
    const made: any[] = [];
    for (const n of [1, 2, 3]) {
      const envelope = await createEnvelope(s, { templateId: tpl.id, recipients: people(n), prefill: { "Job title": `Engineer ${n}` }, metadata: { n: String(n) } });
      made.push(envelope);
      expect(envelope).toMatchObject({ status: "DRAFT", subject: "Your employment contract", message: "Welcome aboard", templateId: tpl.id, reminderIntervalHours: 48, metadata: { team: "hr", n: String(n) } });
      expect(new Date(envelope.expiresAt).getTime() - new Date(envelope.createdAt).getTime()).toBe(10 * 86_400_000);
      expect(envelope.recipients.map((r: any) => [r.roleName, r.email, r.routingOrder])).toEqual([["Employee", `employee${n}@example.com`, 1], ["Employer", "bob@example.com", 2]]);
      const job = envelope.fields.find((f: any) => f.label === "Job title");
      expect(job).toMatchObject({ value: `Engineer ${n}`, readOnly: true, source: "explicit", recipientId: envelope.recipients[0].id });
      // Tag fields too: the Employer's signature tag went to the Employer.
      expect(envelope.fields.find((f: any) => f.label === "Employer signature").recipientId).toBe(envelope.recipients[1].id);
    }
    // The template changes; the envelopes made from it do not.
    await s.api(`/api/v1/templates/${tpl.id}`, { method: "PATCH", json: { subject: "Changed", fields: [], roles: [{ roleName: "Employee" }, { roleName: "Employer" }] } });
    const again = await (await s.api(`/api/v1/envelopes/${made[0].id}`)).json();
    expect(again.subject).toBe("Your employment contract");
    expect(again.fields).toHaveLength(made[0].fields.length);
    expect(again.recipients[1].routingOrder).toBe(2);

    // Sign the first one: the read-only field cannot be changed, and it is sealed with its value.
    const sent = await sendEnvelope(s, made[0].id);
    const token = tokenOf(sent.recipients[0].signUrl);
    const job = sent.fields.find((f: any) => f.label === "Job title");
    const session = await (await fetch(`${s.url}/api/v1/signing/${token}`)).json();
    expect(session.fields.find((f: any) => f.id === job.id)).toMatchObject({ readOnly: true, value: "Engineer 1" });
    const field = (label: string) => sent.fields.find((f: any) => f.label === label).id;
    const ana = { signature: { type: "typed", value: "Employee 1" }, consent: true, fields: { [field("Notes")]: "n/a", [field("Agree")]: true } };
    const refused = await complete(s, token, { ...ana, fields: { ...ana.fields, [job.id]: "CEO" } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].message).toContain("sender filled");
    expect((await complete(s, token, ana)).status).toBe(200);
    const bob = await complete(s, tokenOf(sent.recipients[1].signUrl), { signature: { type: "typed", value: "Bob Martin" }, consent: true, fields: { [field("job_title")]: "Manager" } });
    expect(bob.status).toBe(200);
    const pdf = new Uint8Array(await (await s.api(`/api/v1/envelopes/${made[0].id}/signed-document`)).arrayBuffer());
    const path = join(tempDir("certyneo-tpl-"), "signed.pdf");
    writeFileSync(path, pdf);
    const words = pdftotextWords(path).map((w) => w.word);
    expect(words).toContain("Engineer");
    expect(words).not.toContain("CEO");
  });

  test("roles without a person, unknown roles, an unknown template and bad prefill are reported together", async () => {
    const doc = await taggedDoc();
    const tpl = (await post(s, "/api/v1/templates", templateBody(doc.id))).body;
    const r = await post(s, "/api/v1/envelopes", {
      templateId: tpl.id,
      recipients: [{ roleName: "Employee", name: "A", email: "not-an-email" }, { roleName: "Intern", name: "B", email: "b@example.com" }],
      prefill: { "Job title": true, "Employee signature": "x", Nope: "y" },
    });
    expect(r.status).toBe(422);
    const byPointer = Object.fromEntries(r.body.errors.map((e: any) => [e.pointer, e.message]));
    expect(byPointer["/recipients"]).toContain('"Employer" needs a recipient');
    expect(byPointer["/recipients/1/roleName"]).toContain("no role");
    expect(byPointer["/recipients/0/email"]).toContain("not a valid e-mail");
    expect(byPointer["/prefill/Job title"]).toContain("takes text");
    expect(byPointer["/prefill/Employee signature"]).toContain("cannot be prefilled");
    expect(byPointer["/prefill/Nope"]).toContain("no field is labelled");

    const unknown = await post(s, "/api/v1/envelopes", { templateId: "tpl_nope", recipients: people(1) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: "/templateId", message: "template tpl_nope does not exist" }]);
    // Another environment's template does not exist for this key.
    const live = await post(s, "/api/v1/envelopes", { templateId: tpl.id, recipients: people(1) }, { key: await s.key("live") });
    expect(live.status).toBe(422);
  });

  test("prefill works on envelopes made without a template too", async () => {
    const doc = await uploadDoc(s);
    const envelope = await createEnvelope(s, {
      subject: "Prefilled", documentIds: [doc.id],
      recipients: [{ email: "a@example.com", name: "A", fields: [{ documentId: doc.id, type: "checkbox", page: 1, x: 10, y: 10, width: 12, height: 12, label: "Accepted" }] }],
      prefill: { Accepted: true },
    });
    expect(envelope.fields[0]).toMatchObject({ value: "true", readOnly: true });
    expect(envelope.prefill).toEqual({ Accepted: true });
  });
});
