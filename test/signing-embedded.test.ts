/**
 * Embedded signing, over HTTP: which origins may frame a link's page (CSP frame-ancestors), the
 * rules for origins and redirectUrl, and embedded recipients getting no invitation.
 */
import { describe, expect, test } from "bun:test";
import { envelopeSuite, jobsOf, pointers, post, quickStart, sentEnvelope } from "./helpers/envelopes";

const { s, doc } = await envelopeSuite();

const frameAncestors = (res: Response) => /frame-ancestors ([^;]+)/.exec(res.headers.get("content-security-policy")!)![1];

describe("embedded signing", () => {
  test("the page may be framed by the envelope's allowed origins only; other links keep refusing any frame", async () => {
    const { e } = await sentEnvelope(s, quickStart([doc.id], [{ email: "em@example.com", name: "Em", embedded: true }], {
      embedding: { allowedOrigins: ["https://hr.example.com", "http://127.0.0.1:8123"] }, redirectUrl: "https://hr.example.com/done",
    }));
    expect(e.embedding).toEqual({ allowedOrigins: ["https://hr.example.com", "http://127.0.0.1:8123"] });
    expect(e.redirectUrl).toBe("https://hr.example.com/done");
    expect(e.recipients[0].embedded).toBe(true);
    const framed = await fetch(e.recipients[0].signUrl);
    expect(frameAncestors(framed)).toBe("https://hr.example.com http://127.0.0.1:8123");
    expect(framed.headers.get("x-frame-options")).toBeNull();

    const plain = await sentEnvelope(s, quickStart([doc.id]));
    const refused = await fetch(plain.e.recipients[0].signUrl);
    expect(frameAncestors(refused)).toBe("'none'");
    expect(refused.headers.get("x-frame-options")).toBe("DENY");
    expect(frameAncestors(await fetch(`${s.url}/s/${"A".repeat(43)}`))).toBe("'none'");
  });

  test("an embedded recipient gets no invitation (the integrator shows the signUrl); the others do", async () => {
    const { e } = await sentEnvelope(s, quickStart([doc.id], [
      { email: "inapp@example.com", name: "In App", embedded: true },
      { email: "mail@example.com", name: "By Mail" },
    ], { embedding: { allowedOrigins: ["https://hr.example.com"] } }));
    const invited = jobsOf(s, "send_invitation").map((j) => j.payload.recipientId);
    expect(invited).toContain(e.recipients[1].id);
    expect(invited).not.toContain(e.recipients[0].id);
    expect(e.recipients[0].status).toBe("SENT");
    expect(e.recipients[0].signUrl).toStartWith(`${s.url}/s/`);
  });

  test("origins are scheme://host[:port] on https (http on loopback only); redirectUrl likewise", async () => {
    const bad = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, {
      embedding: { allowedOrigins: ["http://hr.example.com", "https://hr.example.com/app", "javascript:alert(1)", "https://ok.example.com"] },
      redirectUrl: "javascript:alert(1)",
    }));
    expect(bad.status).toBe(422);
    expect(pointers(bad.body).sort()).toEqual(["/embedding/allowedOrigins/0", "/embedding/allowedOrigins/1", "/embedding/allowedOrigins/2", "/redirectUrl"]);
    const draft = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, { embedding: { allowedOrigins: ["http://localhost:3001/"] }, redirectUrl: "http://127.0.0.1:3001/back" }));
    expect(draft.status).toBe(201);
    expect(draft.body.embedding.allowedOrigins).toEqual(["http://localhost:3001"]);
    const cleared = await (await s.api(`/api/v1/envelopes/${draft.body.id}`, { method: "PATCH", json: { embedding: null, redirectUrl: null } })).json() as any;
    expect(cleared).toMatchObject({ embedding: { allowedOrigins: [] }, redirectUrl: null });
  });

  test("an origin is kept as browsers write it (case, default port, a Unicode host); more than an origin is refused", async () => {
    const ok = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, {
      embedding: { allowedOrigins: ["HTTPS://HR.Example.COM:443/", "https://bücher.example", "http://LOCALHOST:3001"] },
    }));
    expect(ok.status).toBe(201);
    expect(ok.body.embedding.allowedOrigins).toEqual(["https://hr.example.com", "https://xn--bcher-kva.example", "http://localhost:3001"]);
    const patched = await (await s.api(`/api/v1/envelopes/${ok.body.id}`, { method: "PATCH", json: { embedding: { allowedOrigins: ["https://App.Example.com:8443"] } } })).json() as any;
    expect(patched.embedding.allowedOrigins).toEqual(["https://app.example.com:8443"]);
    const bad = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, {
      embedding: { allowedOrigins: ["https://user:pw@hr.example.com", "https://hr.example.com?x=1", "https://hr.example.com#", "https://hr.example.com/app"] },
    }));
    expect(bad.status).toBe(422);
    expect(pointers(bad.body).sort()).toEqual([0, 1, 2, 3].map((i) => `/embedding/allowedOrigins/${i}`));
  });
});
