import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./helpers/server";
import { createEnvelope, quickStart, uploadDoc } from "./helpers/envelopes";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

const problem = async (res: Response) => {
  expect(res.status).toBe(422);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { code: string; detail: string; errors: { pointer: string; message: string }[] };
};

describe("query parameters name themselves and what they allow", () => {
  test("?limit=500 names the parameter and its bounds", async () => {
    for (const path of ["/api/v1/envelopes", "/api/v1/documents", "/api/v1/webhooks"]) {
      const p = await problem(await s.api(`${path}?limit=500`));
      expect(p.errors).toEqual([{ pointer: "/limit", message: "query parameter limit must be an integer from 1 to 100 (got 500)" }]);
      expect(p.detail).toContain("limit");
    }
  });

  test("?status=BOGUS lists the allowed statuses", async () => {
    const p = await problem(await s.api("/api/v1/envelopes?status=BOGUS"));
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.pointer).toBe("/status");
    for (const v of ["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED", "BOGUS"]) expect(p.errors[0]!.message).toContain(v);
  });

  test("several bad parameters are all reported at once, an unknown one too", async () => {
    const p = await problem(await s.api("/api/v1/envelopes?limit=0&status=NOPE&colour=red"));
    expect(p.errors.map((e) => e.pointer).sort()).toEqual(["/colour", "/limit", "/status"]);
    expect(p.errors.find((e) => e.pointer === "/colour")!.message).toBe("colour is not a query parameter of this route");
    expect(p.errors.find((e) => e.pointer === "/limit")!.message).toContain("from 1 to 100 (got 0)");
  });

  test("a parameter given twice is refused, not read as its last value", async () => {
    for (const query of ["status=DRAFT&status=SENT", "limit=1&limit=2", "limit=1&lim%69t=2"]) {
      const name = query.startsWith("status") ? "status" : "limit";
      const p = await problem(await s.api(`/api/v1/envelopes?${query}`));
      expect([query, p.errors]).toEqual([query, [{ pointer: `/${name}`, message: `query parameter ${name} is given more than once: give it once` }]]);
    }
  });

  test("a good query still answers", async () => {
    expect((await s.api("/api/v1/envelopes?limit=100&status=DRAFT")).status).toBe(200);
  });
});

describe("a request's shape errors and business errors come in one answer", () => {
  test("create: a bad field type, an unknown document and a bad e-mail together", async () => {
    const doc = await uploadDoc(s);
    const p = await problem(await s.api("/api/v1/envelopes", {
      method: "POST",
      json: quickStart([doc.id, "doc_unknown"], [
        { email: "not-an-email", name: "Ana", fields: [{ documentId: doc.id, type: "sig", page: 1, x: 1, y: 1, width: 10, height: 10 }] },
        { email: "bo@example.com", name: "Bo", fields: [{ documentId: doc.id, type: "text", page: 9, x: 1, y: 1, width: 10, height: 10 }] },
      ]),
    }));
    const byPointer = Object.fromEntries(p.errors.map((e) => [e.pointer, e.message]));
    expect(byPointer["/recipients/0/fields/0/type"]).toContain('must be one of "signature"');
    expect(byPointer["/documentIds/1"]).toContain("does not exist");
    expect(byPointer["/recipients/0/email"]).toContain("not a valid e-mail");
    expect(byPointer["/recipients/1/fields/0/page"]).toContain("has 1 page");
    expect(p.errors).toHaveLength(4);
  });

  test("a member whose shape is wrong is reported once, for its shape", async () => {
    const p = await problem(await s.api("/api/v1/envelopes", { method: "POST", json: { subject: "", documentIds: ["doc_x"], recipients: [{ email: 42, name: "A" }] } }));
    const pointers = p.errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(["/documentIds/0", "/recipients/0/email", "/subject"]);
    expect(p.errors.find((e) => e.pointer === "/recipients/0/email")!.message).toBe("expected string (got 42)");
  });

  test("PATCH: shape and business errors together", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id]));
    const p = await problem(await s.api(`/api/v1/envelopes/${env.id}`, { method: "PATCH", json: { locale: "xx", documentIds: ["doc_nope"] } }));
    expect(p.errors.map((e) => e.pointer).sort()).toEqual(["/documentIds/0", "/locale"]);
  });

  test("a nullable member says what it takes, not \"expected union value\"", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id]));
    const p = await problem(await s.api(`/api/v1/envelopes/${env.id}`, { method: "PATCH", json: { reminderIntervalHours: 721, locale: "xx" } }));
    const byPointer = Object.fromEntries(p.errors.map((e) => [e.pointer, e.message]));
    expect(byPointer["/reminderIntervalHours"]).toBe("must be an integer from 1 to 720 or null (got 721)");
    expect(byPointer["/locale"]).toStartWith('must be one of "en", "fr"');
    expect(byPointer["/locale"]).toEndWith('"ar" or null (got "xx")');
  });

  test("a member that takes several kinds says which, not \"expected union value\"", async () => {
    const doc = await uploadDoc(s);
    const p = await problem(await s.api("/api/v1/envelopes", { method: "POST", json: { ...quickStart([doc.id]), prefill: { "Job title": 5, Salary: "x".repeat(1001) } } }));
    const byPointer = Object.fromEntries(p.errors.map((e) => [e.pointer, e.message]));
    expect(byPointer["/prefill/Job title"]).toBe("must be text of at most 1000 characters, or true or false (got 5)");
    expect(byPointer["/prefill/Salary"]).toBe(`must be text of at most 1000 characters, or true or false (got "${"x".repeat(60)}"… (1001 characters))`);
  });

  test("a long value is quoted cut short, not sent back whole", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id]));
    const p = await problem(await s.api(`/api/v1/envelopes/${env.id}`, { method: "PATCH", json: { message: "x".repeat(100_000) } }));
    expect(p.errors).toEqual([{ pointer: "/message", message: `must be at most 5000 characters long or null (got "${"x".repeat(60)}"… (100000 characters))` }]);
  });

  test("a body that is not an object is one error, not a crash", async () => {
    const p = await problem(await s.api("/api/v1/envelopes", { method: "POST", json: [1, 2] }));
    expect(p.errors[0]!.pointer).toBe("/");
  });
});

describe("whole numbers sent as text", () => {
  const field = (documentId: string, page: unknown) => ({ documentId, type: "signature", page, x: 72, y: 650, width: 180, height: 40 });

  test("are held to their bounds, as numbers are: a reminder every -5 hours is refused", async () => {
    const doc = await uploadDoc(s);
    const p = await problem(await s.api("/api/v1/envelopes", {
      method: "POST",
      json: { ...quickStart([doc.id], [{ email: "ana@example.com", name: "Ana", routingOrder: "0", fields: [field(doc.id, "-1")] }]), reminderIntervalHours: "-5" },
    }));
    expect(Object.fromEntries(p.errors.map((e) => [e.pointer, e.message]))).toEqual({
      "/reminderIntervalHours": "must be an integer from 1 to 720 (got -5)",
      "/recipients/0/routingOrder": "must be an integer from 1 to 100 (got 0)",
      "/recipients/0/fields/0/page": "must be an integer at least 1 (got -1)",
    });
  });

  test("are taken as the numbers they say, and answered as numbers", async () => {
    const doc = await uploadDoc(s);
    const res = await s.api("/api/v1/envelopes", {
      method: "POST",
      json: {
        ...quickStart([doc.id], [{ email: "ana@example.com", name: "Ana", routingOrder: "2", fields: [field(doc.id, "1")] }, { email: "ben@example.com", name: "Ben", routingOrder: 1 }]),
        reminderIntervalHours: "24",
      },
    });
    expect(res.status).toBe(201);
    const e = await res.json();
    expect([e.reminderIntervalHours, e.recipients.map((r: { routingOrder: unknown }) => r.routingOrder), e.fields.map((f: { page: unknown }) => f.page)]).toEqual([24, [2, 1], [1]]);
    const template = await s.api("/api/v1/templates", {
      method: "POST",
      json: { name: "Offer", subject: "Offer", documentIds: [doc.id], roles: [{ roleName: "Signer", routingOrder: "3" }], expiresInDays: "30" },
    });
    expect(template.status).toBe(201);
    const t = await template.json();
    expect([t.roles[0].routingOrder, t.expiresInDays]).toEqual([3, 30]);
  });
});

describe("an expiry is a moment that exists", () => {
  const wording = "must be a date and time that exists, written as RFC 3339 has it: 2026-12-31T17:00:00Z";

  test("a day the month lacks, an hour 24, a slashed date or a malformed one is refused, not moved", async () => {
    const doc = await uploadDoc(s);
    for (const expiresAt of ["2030-02-30T00:00:00Z", "2100-02-29T12:00:00Z", "2030-04-31T09:00:00Z", "2030-01-01T24:00:00Z", "05/03/2030", "Tue Mar 05 2030 09:00:00 GMT+0000 (UTC)", "2030-13-01T00:00:00Z"]) {
      const p = await problem(await s.api("/api/v1/envelopes", { method: "POST", json: { ...quickStart([doc.id]), expiresAt } }));
      expect(p.errors).toEqual([{ pointer: "/expiresAt", message: `${wording} (got ${JSON.stringify(expiresAt)})` }]);
    }
    const env = await createEnvelope(s, quickStart([doc.id]));
    const p = await problem(await s.api(`/api/v1/envelopes/${env.id}`, { method: "PATCH", json: { expiresAt: "2031-02-29T00:00:00Z" } }));
    expect(p.errors).toEqual([{ pointer: "/expiresAt", message: `${wording} (got "2031-02-29T00:00:00Z")` }]);
  });

  test("a leap day, an offset, a date alone are taken, as the instant they name", async () => {
    const doc = await uploadDoc(s);
    for (const [expiresAt, instant] of [["2028-02-29T23:30:00Z", "2028-02-29T23:30:00.000Z"], ["2030-01-01T00:00:00+14:00", "2029-12-31T10:00:00.000Z"], ["2030-06-01", "2030-06-01T00:00:00.000Z"]]) {
      const res = await s.api("/api/v1/envelopes", { method: "POST", json: { ...quickStart([doc.id]), expiresAt } });
      expect([expiresAt, res.status, (await res.json()).expiresAt]).toEqual([expiresAt, 201, instant]);
    }
  });
});
