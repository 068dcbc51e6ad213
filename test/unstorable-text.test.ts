/**
 * Text no database can keep as sent: a NUL (PostgreSQL's text refuses it, so a statement holding
 * one failed with a 500) and half of a UTF-16 surrogate pair (stored as U+FFFD). Refused where it
 * comes in, on both databases: in a JSON body at its member, in the URL, in a console form.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getBranding } from "../src/modules/branding/service";
import { addAdmin, consoleClient } from "./helpers/admin";
import { quickStart, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

const NUL = "must not hold the NUL character (\\u0000), which no text of the API takes and the database cannot store";

for (const postgres of [false, true]) {
  describe.skipIf(postgres && !havePostgres)(`text a database cannot keep, on ${postgres ? "PostgreSQL" : "SQLite"}`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ postgres });
      await addAdmin(s);
    });
    afterAll(() => s?.stop());

    test("a NUL in a JSON body is a 422 at its member, member names too", async () => {
      const doc = await uploadDoc(s);
      for (const [body, pointer] of [
        [{ ...quickStart([doc.id]), subject: "Sub\u0000ject" }, "/subject"],
        [quickStart([doc.id], [{ email: "ana@example.com", name: "A\u0000na" }]), "/recipients/0/name"],
        [{ ...quickStart([doc.id]), metadata: { "c\u0000rm": "1" } }, "/metadata/c\u0000rm"],
      ] as const) {
        const res = await s.api("/api/v1/envelopes", { method: "POST", json: body });
        expect(res.status).toBe(422);
        expect((await res.json()).errors).toEqual([{ pointer, message: NUL }]);
      }
      const hook = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/h\u0000ook", events: ["envelope.completed"] } });
      expect([hook.status, (await hook.json()).errors]).toEqual([422, [{ pointer: "/url", message: NUL }]]);
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

    test("half of a surrogate pair is a 422 here too, where it was stored as U+FFFD", async () => {
      const doc = await uploadDoc(s);
      const res = await s.api("/api/v1/envelopes", { method: "POST", json: { ...quickStart([doc.id]), message: "Hello \udc00" } });
      expect([res.status, (await res.json()).errors[0].pointer]).toEqual([422, "/message"]);
    });
  });
}
