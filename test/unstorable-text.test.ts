/**
 * Text no database can keep as sent: a NUL (PostgreSQL's text refuses it, so a statement holding
 * one failed with a 500) and half of a UTF-16 surrogate pair (stored as U+FFFD). Refused where it
 * comes in, on both databases: in a JSON body at its member, in the URL, in a console form.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { eq } from "drizzle-orm";
import { enqueue } from "../src/jobs/queue";
import { createJobRunner, defineJob } from "../src/jobs/runner";
import { holdsUnstorableText } from "../src/http/body-guard";
import { getBranding } from "../src/modules/branding/service";
import { firstRow } from "../src/store/portable-sql";
import { jobs } from "../src/store/schema";
import { addAdmin, consoleClient } from "./helpers/admin";
import { quickStart, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { tagReadAs } from "./helpers/tagged-pdf";

const NUL = "must not hold the NUL character (\\u0000), which no text of the API takes and the database cannot store";
const LONE = "must be Unicode text: it holds half of a UTF-16 surrogate pair (\\ud800-\\udfff) without the other, which is no character and cannot be stored; send the character itself, or both halves of its pair";

test("the scan: NUL and lone halves found, pairs and escaped backslashes passed over", () => {
  const unstorable = (json: string) => holdsUnstorableText(new TextEncoder().encode(json));
  expect(["\"\\ud800\"", "\"\\uDC00\"", "\"a\\ud83d\\u0041\"", "\"\\ude00\\ud83d\"", "\"\\\\\\ud800\"", "{\"k\\udbff\":1}", "\"\\u0000\""].map(unstorable)).toEqual([true, true, true, true, true, true, true]);
  expect(["\"\\ud83d\\ude00\"", "\"\\\\ud800\"", "\"\\u00e9\\uD7FF\\uE000\"", "\"plain\"", "\"\\u12\"", "\"\\ud83d\\uDE00\\uD83D\\ude00\""].map(unstorable)).toEqual([false, false, false, false, false, false]);
});

for (const postgres of [false, true]) {
  describe.skipIf(postgres && !havePostgres)(`text a database cannot keep, on ${postgres ? "PostgreSQL" : "SQLite"}`, () => {
    let s: TestServer;
    beforeAll(async () => {
      // The app's own job runner stays idle: the runner of the job test below takes its job.
      s = await startTestServer({ postgres, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
      await addAdmin(s);
    });
    afterAll(() => s?.stop());

    test("a NUL or half a surrogate pair in a JSON body is a 422 at its member, member names too", async () => {
      const doc = await uploadDoc(s);
      // JSON.stringify writes both as \u escapes: the bytes a client sends.
      for (const [path, body, pointer, message] of [
        ["/api/v1/envelopes", { ...quickStart([doc.id]), subject: "Sub\u0000ject" }, "/subject", NUL],
        ["/api/v1/envelopes", quickStart([doc.id], [{ email: "ana@example.com", name: "A\u0000na" }]), "/recipients/0/name", NUL],
        ["/api/v1/envelopes", { ...quickStart([doc.id]), metadata: { "c\u0000rm": "1" } }, "/metadata/c\u0000rm", NUL],
        ["/api/v1/envelopes", { ...quickStart([doc.id]), subject: "Sub\udc00ject" }, "/subject", LONE],
        ["/api/v1/envelopes", quickStart([doc.id], [{ email: "ana@example.com", name: "Ana \ud83d" }]), "/recipients/0/name", LONE],
        ["/api/v1/envelopes", { ...quickStart([doc.id]), metadata: { "crm/id": "x\udfff" } }, "/metadata/crm~1id", LONE],
        ["/api/v1/envelopes", { ...quickStart([doc.id]), message: "Hello \udc00" }, "/message", LONE],
        ["/api/v1/documents", { name: "a\ud800.pdf", contentBase64: "JVBERi0=" }, "/name", LONE],
      ] as const) {
        const res = await s.api(path, { method: "POST", json: body });
        expect([pointer, res.status, (await res.json()).errors]).toEqual([pointer, 422, [{ pointer, message }]]);
      }
      const hook = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/h\u0000ook", events: ["envelope.completed"] } });
      expect([hook.status, (await hook.json()).errors]).toEqual([422, [{ pointer: "/url", message: NUL }]]);
      expect((await (await s.api("/api/v1/envelopes")).json()).data).toEqual([]);
    });

    test("bytes that are not UTF-8 in a JSON body are a 400, not stored as U+FFFD", async () => {
      const doc = await uploadDoc(s);
      const text = JSON.stringify({ ...quickStart([doc.id]), subject: "Sub@ject" });
      const at = text.indexOf("@");
      const bytes = new TextEncoder().encode(text);
      for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80]]) {
        // A lone byte, a sequence cut short, a surrogate encoded in UTF-8: each where "@" was.
        const body = new Uint8Array([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at + 1)]);
        const res = await s.api("/api/v1/envelopes", { method: "POST", body, headers: { "content-type": "application/json" } });
        const problem = await res.json();
        expect([bad, res.status, problem.code, problem.message]).toEqual([bad, 400, "invalid_json", "The request body is not valid JSON: it holds bytes that are not UTF-8 (JSON is sent as UTF-8)"]);
      }
      expect((await (await s.api("/api/v1/envelopes")).json()).data).toEqual([]);
    });

    test("%00 in a path or a query is a 400, before any lookup", async () => {
      const paths = ["/api/v1/envelopes/env_%00", "/api/v1/documents?startingAfter=doc_%00", "/api/v1/webhooks/%00", "/api/v1/signing/%00abc", "/admin/envelopes?q=%00"];
      for (const path of paths) {
        const res = await s.api(path);
        expect([path, res.status, (await res.json()).code]).toEqual([path, 400, "bad_request"]);
      }
      expect((await s.api("/api/v1/keys/key_%00", { method: "DELETE" })).status).toBe(400);
    });

    test("a NUL in a console form is a 400, and nothing is written", async () => {
      const anonymous = consoleClient(s);
      await anonymous.get("/admin/login");
      expect((await anonymous.post("/admin/login", { email: "it@exa\u0000mple.com", password: "x" })).res.status).toBe(400);
      const c = consoleClient(s);
      expect((await c.login()).res.status).toBe(303);
      await c.get("/admin/keys");
      const key = await c.post("/admin/keys", { name: "ops\u0000key", environment: "test", scopes: "envelopes:read" });
      expect(key.res.status).toBe(400);
      expect(key.text).toContain("NUL character");
      await c.get("/admin/branding");
      const before = await getBranding(s.deps.db);
      expect((await c.post("/admin/branding", { organisationName: "Acme\u0000Sign", accentColor: "#123456" })).res.status).toBe(400);
      expect(await getBranding(s.deps.db)).toEqual(before);
      await c.get("/admin/settings");
      expect((await c.post("/admin/settings/test-email", { to: "a\u0000b@example.com" })).res.status).toBe(400);
    });

    test("a bulk-send CSV holding a NUL is refused, naming its line", async () => {
      const doc = await uploadDoc(s);
      const template = await (await s.api("/api/v1/templates", { method: "POST", json: { name: "T", subject: "S", documentIds: [doc.id], roles: [{ roleName: "Employee" }] } })).json();
      const form = new FormData();
      form.set("file", new File(["Employee.email,Employee.name\na@example.com,Ana\nb@example.com,B\u0000en\n"], "rows.csv"));
      const res = await s.api(`/api/v1/templates/${template.id}/bulk-send`, { method: "POST", body: form });
      expect([res.status, (await res.json()).errors]).toEqual([422, [{ pointer: "/file", message: 'line 3 holds a NUL character, which no cell takes: is it a CSV file, saved as "CSV UTF-8"?' }]]);
    });

    test("a job's error holding a NUL is recorded, the NUL as U+FFFD, and the job retried", async () => {
      const runner = createJobRunner(s.deps, { odd: defineJob(Type.Object({}), async () => { throw new Error("refused: a\u0000b"); }) }, []);
      const id = await enqueue(s.deps.db, s.deps.clock, { kind: "odd", payload: {} });
      await runner.drain();
      expect(await firstRow(s.deps.db.select({ status: jobs.status, attempts: jobs.attempts, lastError: jobs.lastError }).from(jobs).where(eq(jobs.id, id))))
        .toEqual({ status: "pending", attempts: 1, lastError: "refused: a\uFFFDb" });
    });

    test("a text tag whose font reads a glyph as NUL or half a pair has U+FFFD there, and makes its field", async () => {
      for (const unicode of ["0000", "D800"]) {
        const res = await s.api("/api/v1/documents", { method: "POST", json: { name: "tagged.pdf", contentBase64: Buffer.from(await tagReadAs(unicode)).toString("base64") } });
        const doc = await res.json();
        expect([res.status, doc.tags.map((t: { name: string }) => t.name)]).toEqual([201, ["Na\uFFFDme"]]);
        const envelope = await s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id], [{ email: "ana@example.com", name: "Ana", roleName: "Signer" }]) });
        expect([envelope.status, (await envelope.json()).fields?.map((f: { label: string }) => f.label)]).toEqual([201, ["Na\uFFFDme"]]);
      }
    });

    test("a pair written as two escapes, and an escaped backslash before u, are text as sent", async () => {
      const doc = await uploadDoc(s);
      const body = `{"subject":"Offer \\ud83d\\ude00 C:\\\\ud800","documentIds":["${doc.id}"],"recipients":[{"email":"ana@example.com","name":"Ana"}]}`;
      const res = await s.api("/api/v1/envelopes", { method: "POST", body, headers: { "content-type": "application/json" } });
      expect(res.status).toBe(201);
      const created = await res.json();
      const read = await (await s.api(`/api/v1/envelopes/${created.id}`)).json();
      expect([created.subject, read.subject]).toEqual(["Offer 😀 C:\\ud800", "Offer 😀 C:\\ud800"]);
    });
  });
}
