/**
 * Hostile HTTP input that must not stall the server: deep JSON, anonymous bodies, floods
 * without a key; and the headers every answer carries.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jsonDepthExceeds } from "../src/http/body-guard";
import { forwardedClient } from "../src/http/context";
import { createEnvelope, quickStart, sendEnvelope, signing, tokenOf, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
const enc = (s: string) => new TextEncoder().encode(s);

describe("JSON depth scan", () => {
  test("counts objects and arrays, not brackets inside strings", () => {
    expect(jsonDepthExceeds(enc(deep(64)))).toBe(false);
    expect(jsonDepthExceeds(enc(deep(65)))).toBe(true);
    expect(jsonDepthExceeds(enc(deepObject(65)))).toBe(true);
    expect(jsonDepthExceeds(enc(JSON.stringify({ s: "[".repeat(1000) + '\\"[' })))).toBe(false);
    expect(jsonDepthExceeds(enc(JSON.stringify([{ a: [1, { b: "]]]]" }] }])), 4)).toBe(false);
    expect(jsonDepthExceeds(enc(JSON.stringify([{ a: [1, { b: "]]]]" }] }])), 3)).toBe(true);
  });
});

describe("hostile bodies", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    const doc = await uploadDoc(s);
    const e = await createEnvelope(s, quickStart([doc.id]));
    token = tokenOf((await sendEnvelope(s, e.id)).recipients[0].signUrl);
  });
  afterAll(() => s.stop());

  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(s.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  test("JSON nested 50,000 deep is refused with 400 json_too_deep on the signing API and on API-key routes", async () => {
    for (const path of [`/api/v1/signing/${token}/complete`, `/api/v1/signing/${token}/decline`]) {
      const res = await post(path, deep(50_000));
      expect(res.status, path).toBe(400);
      expect((await res.json()).code).toBe("json_too_deep");
    }
    const res = await post("/api/v1/envelopes", deepObject(50_000), { authorization: `Bearer ${await s.key()}` });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("json_too_deep");
    // Nesting within the limit is the validator's business, as before.
    const shallow = await post("/api/v1/envelopes", deepObject(60), { authorization: `Bearer ${await s.key()}` });
    expect(shallow.status).toBe(422);
    expect((await (await fetch(s.url + "/healthz")).json()).status).toBe("ok");
  });

  test("an unknown signing token is refused before its body is read; a known one gets a signature-sized cap", async () => {
    const big = new Uint8Array(30 * 1024 * 1024).fill(0x20);
    const unknown = await post(`/api/v1/signing/${"A".repeat(43)}/complete`, big);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe("not_found");
    const tooBig = await post(`/api/v1/signing/${token}/complete`, new Uint8Array(2 * 1024 * 1024).fill(0x20));
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).code).toBe("payload_too_large");
    // A chunked body declares no length: the count stops it all the same.
    const stream = new ReadableStream({
      pull(c) { c.enqueue(new Uint8Array(256 * 1024).fill(0x20)); },
    });
    const chunked = await fetch(`${s.url}/api/v1/signing/${token}/decline`, {
      method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // Without a key a body is JSON: a 30 MB form to a known token is refused unread.
    const form = new FormData();
    form.set("file", new File([big], "big.bin"));
    const multipart = await fetch(`${s.url}/api/v1/signing/${token}/complete`, { method: "POST", body: form });
    expect(multipart.status).toBe(415);
  });

  test("every response says nosniff; API answers are not cached", async () => {
    for (const path of ["/healthz", "/nowhere", "/openapi.json", `/s/${token}`, `/api/v1/signing/${token}`]) {
      const res = await fetch(s.url + path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
    const key = await s.api("/api/v1/keys", { method: "POST", json: { name: "secret bearer" } });
    expect(key.status).toBe(201);
    expect(key.headers.get("cache-control")).toBe("no-store");
    const hook = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/hook" } });
    expect(hook.headers.get("cache-control")).toBe("no-store");
    const env = await s.api("/api/v1/envelopes");
    expect(env.headers.get("cache-control")).toBe("no-store");
  });
});

describe("anonymous rate limits", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ANONYMOUS_BURST: "5", CERTYNEO_RATE_LIMIT_TOKEN_BURST: "3", CERTYNEO_BASE_URL: "https://sign.example.com" } });
  });
  afterAll(() => s.stop());

  test("per client IP: the 6th anonymous request gets 429 + Retry-After; /healthz still answers; failed keys count", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(s.url + "/openapi.json")).status);
    statuses.push((await fetch(s.url + "/api/v1/documents", { headers: { authorization: `Bearer sk_test_${"B".repeat(43)}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 401]);
    const refused = await fetch(s.url + "/openapi.json");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).code).toBe("rate_limited");
    const guessed = await fetch(s.url + "/api/v1/documents", { headers: { authorization: `Bearer sk_test_${"C".repeat(43)}` } });
    expect(guessed.status).toBe(429);
    expect((await fetch(s.url + "/healthz")).status).toBe(200);
    // A valid key is limited by its own bucket, not the address's.
    expect((await s.api("/api/v1/documents")).status).toBe(200);
    (s.clock as any).advance(60_000);
    expect((await fetch(s.url + "/openapi.json")).status).toBe(200);
  });

  test("per signing token: the 4th use of one token gets 429", async () => {
    (s.clock as any).advance(60_000);
    const token = "D".repeat(43);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push((await signing(s, token)).status);
    expect(got).toEqual([404, 404, 404, 429]);
    (s.clock as any).advance(60_000);
    expect((await signing(s, "E".repeat(43))).status).toBe(404);
  });

  test("HSTS when the base URL is https", async () => {
    (s.clock as any).advance(60_000);
    const res = await fetch(s.url + "/healthz");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });
});



describe("the public /verify page's refusals", () => {
  test("a file over maxUploadMb is refused with 413 as POST /api/v1/verify refuses it, not checked", async () => {
    const s = await startTestServer({ env: { CERTYNEO_MAX_UPLOAD_MB: "1" } });
    try {
      const file = () => new File([enc("%PDF-1.7\n"), new Uint8Array(1024 * 1024 + 1)], "big.pdf");
      const page = new FormData();
      page.set("file", file());
      const res = await fetch(`${s.url}/verify`, { method: "POST", body: page });
      expect(res.status).toBe(413);
      expect(await res.text()).toContain("larger than the limit of 1 MiB");
      const api = new FormData();
      api.set("file", file());
      expect((await s.api("/api/v1/verify", { method: "POST", body: api })).status).toBe(413);
    } finally {
      await s.stop();
    }
  });

  test("two files, or none, are refused in the reader's language, as POST /api/v1/verify refuses two", async () => {
    const s = await startTestServer();
    try {
      const pdf = () => new File([enc("%PDF-1.7\n%%EOF\n")], "a.pdf");
      const two = () => {
        const form = new FormData();
        form.append("file", pdf());
        form.append("file", pdf());
        return form;
      };
      const post = (body: FormData, lang = "en") => fetch(`${s.url}/verify`, { method: "POST", body, headers: { "accept-language": lang } });
      const refusedTwo = await post(two());
      expect(refusedTwo.status).toBe(422);
      const page = await refusedTwo.text();
      expect(page).toContain("this page checks one PDF at a time");
      expect(page).not.toContain("could not be checked");
      expect((await post(two(), "fr")).status).toBe(422);
      expect(await (await post(two(), "fr")).text()).toContain("un PDF à la fois");
      expect((await s.api("/api/v1/verify", { method: "POST", body: two() })).status).toBe(422);
      const empty = new FormData();
      empty.set("note", "no file here");
      const none = await post(empty, "de");
      expect(none.status).toBe(422);
      expect(none.headers.get("content-language")).toBe("de");
      expect(await none.text()).toContain("Wählen Sie eine PDF-Datei");
      const text = new FormData();
      text.set("file", "not a file");
      expect(await (await post(text)).text()).toContain("Choose a PDF file to check.");
    } finally {
      await s.stop();
    }
  });
});

describe("behind a trusted proxy (trustProxy)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ANONYMOUS_BURST: "5", CERTYNEO_TRUST_PROXY: "true" } });
  });
  afterAll(() => s.stop());
  const from = async (forwardedFor: string) => (await fetch(s.url + "/openapi.json", { headers: { "x-forwarded-for": forwardedFor } })).status;

  test("the client is the X-Forwarded-For entry the proxy added (the last), without port or brackets", () => {
    expect(forwardedClient("203.0.113.9")).toBe("203.0.113.9");
    expect(forwardedClient("6.6.6.6, 198.51.100.4")).toBe("198.51.100.4");
    expect(forwardedClient("made-up,2001:db8::1")).toBe("2001:db8::1");
    expect(forwardedClient("198.51.100.4:50312")).toBe("198.51.100.4");
    expect(forwardedClient("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect([forwardedClient("unknown"), forwardedClient(""), forwardedClient(null), forwardedClient("1.2.3.4, ")]).toEqual([null, null, null, null]);
  });

  test("entries a client writes before the proxy's own change neither its allowance nor the address logged", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push(await from(`10.0.0.${i}, 198.51.100.20`));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = s.logs.filter((l) => l.msg === "request" && l.status === 429);
    expect(refused.map((l) => l.ip)).toEqual(["198.51.100.20"]);
  });

  test("addresses of one IPv6 /64 share an allowance; another /64 and an IPv4 client have their own", async () => {
    (s.clock as any).advance(60_000);
    const rotating: number[] = [];
    for (let i = 1; i <= 6; i++) rotating.push(await from(`2001:db8:aa:1:${i.toString(16)}::${i}`));
    expect(rotating).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await from("2001:db8:aa:2::1")).toBe(200);
    expect(await from("203.0.113.9")).toBe(200);
    // The log keeps the address itself: only the allowance is counted by network.
    expect(s.logs.filter((l) => l.msg === "request" && l.status === 429).map((l) => l.ip).at(-1)).toBe("2001:db8:aa:1:6::6");
  });
});

describe("webhook secrets at rest", () => {
  test("stored encrypted under the instance key, clear rows encrypted at start, deliveries still signed with the secret", async () => {
    const { openSecret, sealStoredSecrets } = await import("../src/store/secret-box");
    const s = await startTestServer();
    try {
      const res = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/a" } });
      const { id, secret } = (await res.json()) as { id: string; secret: string };
      const stored = () => (s.deps.db.$client.query("SELECT secret FROM webhooks WHERE id = ?").get(id) as { secret: string }).secret;
      expect(stored()).toStartWith("enc:v1:");
      expect(stored()).not.toContain(secret.slice(6));
      expect(openSecret(s.deps.secret, stored())).toBe(secret);
      expect(() => openSecret(new Uint8Array(32), stored())).toThrow("instance.key");
      // A row written in clear by an earlier version is encrypted by the start-up step.
      s.deps.db.$client.run("UPDATE webhooks SET secret = ? WHERE id = ?", [secret, id]);
      expect(await sealStoredSecrets(s.deps.db, s.deps.secret)).toBe(1);
      expect(stored()).toStartWith("enc:v1:");
      expect(openSecret(s.deps.secret, stored())).toBe(secret);
      expect(await sealStoredSecrets(s.deps.db, s.deps.secret)).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
