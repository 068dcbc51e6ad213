/**
 * Hostile-input proof, bodies: generated bad requests (deep JSON, wrong types, huge names and
 * strings, broken JSON, bad content types and multipart, bad base64, bad queries, anonymous
 * floods of the signing API) against the real server process. Every answer is a 4xx with a
 * code, never a 5xx; /healthz answers throughout; RSS stays bounded. Figures: docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { random } from "./helpers/hostile-pdf";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { codes, histogram, sendAll, startProbeServer, watch, type ProbeServer } from "./helpers/probe";

let server: ProbeServer;

/** A real document, a draft and a sent envelope, so that bad bodies reach the validators behind them. */
async function realEnvelopes() {
  const key = { authorization: `Bearer ${server.key}` };
  const form = new FormData();
  form.set("file", new File([await makePdf()], "real.pdf"));
  const doc = await (await fetch(`${server.url}/api/v1/documents`, { method: "POST", headers: key, body: form })).json();
  const envelope = () => fetch(`${server.url}/api/v1/envelopes`, { method: "POST", headers: { ...key, "content-type": "application/json" }, body: JSON.stringify({ subject: "Probe", documentIds: [doc.id], recipients: [{ email: "p@example.com", name: "P" }] }) }).then((r) => r.json());
  const draft = await envelope();
  const sent = await (await fetch(`${server.url}/api/v1/envelopes/${(await envelope()).id}/send`, { method: "POST", headers: key })).json();
  return { doc, draft, sent };
}

const deep = (n: number, open = "[", close = "]") => open.repeat(n) + close.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

async function generatedBadBodies(database: string) {
  const rnd = random(77);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const key = { authorization: `Bearer ${server.key}` };
  const json = { ...key, "content-type": "application/json" };
  const url = server.url;

  // A real draft and a real signing token, so the bodies reach the validators behind them.
  const { doc, draft, sent } = await realEnvelopes();
  const token = new URL(sent.recipients[0].signUrl).pathname.split("/").pop()!;

  const jsonRoutes: [string, string, Record<string, string>][] = [
    ["POST", "/api/v1/envelopes", json],
    ["PATCH", `/api/v1/envelopes/${draft.id}`, json],
    ["POST", "/api/v1/documents", json],
    ["POST", "/api/v1/webhooks", json],
    ["POST", "/api/v1/keys", json],
    ["POST", `/api/v1/signing/${token}/complete`, { "content-type": "application/json" }],
    ["POST", `/api/v1/signing/${token}/decline`, { "content-type": "application/json" }],
  ];
  const send = (method: string, path: string, headers: Record<string, string>, body?: BodyInit) => () => fetch(url + path, { method, headers, body });
  const requests: { input: string; send: () => Promise<Response> }[] = [];
  const add = (input: string, fn: () => Promise<Response>) => requests.push({ input, send: fn });

  // Deep JSON, on every JSON route, arrays and objects, up to 200,000 levels.
  for (const [method, path, headers] of jsonRoutes)
    for (const depth of [65, 100, 1_000, 10_000, 50_000, 200_000]) {
      add(`deep array ${depth} ${method} ${path}`, send(method, path, headers, deep(depth)));
      add(`deep object ${depth} ${method} ${path}`, send(method, path, headers, deepObject(depth)));
    }
  // Wrong types in every field of the envelope, document, webhook, key and signing bodies.
  const wrong = [null, 0, -1, 1e308, true, "", "x".repeat(300), [], [1, 2], {}, { a: 1 }] as const;
  const fields: Record<string, string[]> = {
    "/api/v1/envelopes": ["subject", "documentIds", "recipients", "expiresAt", "locale", "message", "metadata", "routing"],
    "/api/v1/documents": ["name", "contentBase64"],
    "/api/v1/webhooks": ["url", "events", "description"],
    "/api/v1/keys": ["name", "scopes"],
    [`/api/v1/signing/${token}/complete`]: ["signature", "fields", "consent"],
    [`/api/v1/signing/${token}/decline`]: ["reason"],
  };
  const valid: Record<string, Record<string, unknown>> = {
    "/api/v1/envelopes": { subject: "S", documentIds: [doc.id], recipients: [{ email: "q@example.com", name: "Q" }] },
    "/api/v1/documents": { name: "a.pdf", contentBase64: "JVBERi0=" },
    "/api/v1/webhooks": { url: "https://example.com/h" },
    "/api/v1/keys": { name: "k" },
    [`/api/v1/signing/${token}/complete`]: { signature: { type: "typed", value: "P" }, consent: true },
    [`/api/v1/signing/${token}/decline`]: { reason: "no" },
  };
  for (const [path, names] of Object.entries(fields))
    for (const field of names)
      for (let i = 0; i < 14; i++) {
        let value: unknown = pick(wrong);
        // A value that happens to be valid for the field is made wrong another way.
        if (field === "metadata" || field === "fields" || field === "description" || field === "message" || field === "expiresAt" || field === "routing" || field === "locale" || field === "events" || field === "scopes")
          value = pick([1e308, true, [[[]]], "x".repeat(100_000)]);
        if (field === "consent" && value === true) value = false;
        const body = { ...valid[path], [field]: value, ...(rnd() < 0.3 ? { unknownField: 1 } : {}) };
        const headers = path.startsWith("/api/v1/signing/") ? { "content-type": "application/json" } : json;
        add(`wrong type ${path} ${field}=${JSON.stringify(value)?.slice(0, 30)}`, send("POST", path, headers, JSON.stringify(body)));
      }
  // Huge names and strings.
  for (const n of [1_001, 10_000, 100_000, 1_000_000]) {
    add(`huge name ${n}`, send("POST", "/api/v1/documents", json, JSON.stringify({ name: "n".repeat(n), contentBase64: "JVBERi0=" })));
    add(`huge subject ${n}`, send("POST", "/api/v1/envelopes", json, JSON.stringify({ ...valid["/api/v1/envelopes"], subject: "s".repeat(n) })));
    add(`huge recipient ${n}`, send("POST", "/api/v1/envelopes", json, JSON.stringify({ subject: "S", documentIds: [doc.id], recipients: [{ email: `${"e".repeat(n)}@example.com`, name: "N" }] })));
    add(`huge reason ${n}`, send("POST", `/api/v1/signing/${token}/decline`, { "content-type": "application/json" }, JSON.stringify({ reason: "r".repeat(n) })));
    add(`huge typed signature ${n}`, send("POST", `/api/v1/signing/${token}/complete`, { "content-type": "application/json" }, JSON.stringify({ signature: { type: "typed", value: "v".repeat(n) }, consent: true })));
  }
  // Text no database keeps as sent (NUL, half of a surrogate pair: JSON.stringify escapes both), in bodies and URLs.
  const texts: [string, string][] = [["/api/v1/envelopes", "subject"], ["/api/v1/documents", "name"], ["/api/v1/webhooks", "description"], ["/api/v1/keys", "name"], [`/api/v1/signing/${token}/decline`, "reason"]];
  for (const [path, field] of texts)
    for (const odd of ["a\u0000b", "\ud800", "b\udfff"])
      add(`odd text ${path} ${field}=${JSON.stringify(odd)}`, send("POST", path, path.startsWith("/api/v1/signing/") ? { "content-type": "application/json" } : json, JSON.stringify({ ...valid[path], [field]: odd })));
  for (const path of [`/api/v1/envelopes/${draft.id}%00`, "/api/v1/documents/doc_%00", `/api/v1/signing/${token}%00`, "/api/v1/webhooks/%00/deliveries"])
    add(`NUL in ${path}`, send("GET", path, path.startsWith("/api/v1/signing/") ? {} : key));
  add("many recipients", send("POST", "/api/v1/envelopes", json, JSON.stringify({ subject: "S", documentIds: [doc.id], recipients: Array.from({ length: 5000 }, (_, i) => ({ email: `r${i}@example.com`, name: "R" })) })));
  add("many document ids", send("POST", "/api/v1/envelopes", json, JSON.stringify({ subject: "S", documentIds: Array.from({ length: 20_000 }, (_, i) => `doc_${i}`), recipients: [{ email: "q@example.com", name: "Q" }] })));
  // Broken JSON: every prefix of a valid body, and random bytes.
  const text = JSON.stringify(valid["/api/v1/envelopes"]);
  for (let i = 1; i < text.length; i += 3) add(`truncated json ${i}`, send("POST", "/api/v1/envelopes", json, text.slice(0, i)));
  for (let i = 0; i < 40; i++) {
    const noise = new Uint8Array(1 + Math.floor(rnd() * 2000)).map(() => Math.floor(rnd() * 256));
    const [method, path, headers] = pick(jsonRoutes);
    add(`noise ${i} ${path}`, send(method, path, headers, noise));
  }
  // Content types and multipart.
  for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=x", "application/json; charset=utf-16", ""])
    for (const path of ["/api/v1/documents", "/api/v1/envelopes", `/api/v1/signing/${token}/complete`])
      add(`content-type "${type}" ${path}`, send("POST", path, { ...(path.startsWith("/api/v1/signing/") ? {} : key), "content-type": type }, "garbage body"));
  for (let i = 0; i < 20; i++)
    add(`bad multipart ${i}`, send("POST", "/api/v1/documents", { ...key, "content-type": "multipart/form-data; boundary=XyZ" }, `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="${"\u202e".repeat(i)}a.pdf"\r\n\r\n${"%PDF".slice(0, i % 5)}${i % 3 ? "\r\n--XyZ--" : ""}`));
  for (const b64 of ["!!!!", "JVBERi0", "====", "\u00e9\u00e9", "a".repeat(5), " ", "JVBERi0xLjcK".repeat(3) + "*"])
    add(`bad base64 ${JSON.stringify(b64)}`, send("POST", "/api/v1/documents", json, JSON.stringify({ name: "a.pdf", contentBase64: b64 })));
  // Queries and paths.
  for (const q of ["limit=-1", "limit=0", "limit=abc", "limit=1e9", "startingAfter=%00", "startingAfter=doc_nope", "x=" + "y".repeat(5000)])
    for (const list of ["/api/v1/documents", "/api/v1/envelopes", "/api/v1/webhooks"]) add(`query ${list}?${q.slice(0, 20)}`, send("GET", `${list}?${q}`, key));
  // Anonymous: unknown tokens with bodies, oversized bodies, bad keys.
  for (let i = 0; i < 20; i++) {
    const fake = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    add(`unknown token body ${i}`, send("POST", `/api/v1/signing/${fake}/complete`, { "content-type": "application/json" }, new Uint8Array(3 * 1024 * 1024).fill(0x20)));
    add(`bad key ${i}`, send("POST", "/api/v1/envelopes", { authorization: `Bearer sk_test_${fake}`, "content-type": "application/json" }, "{}"));
  }
  add("oversized signing body", send("POST", `/api/v1/signing/${token}/complete`, { "content-type": "application/json" }, JSON.stringify({ signature: { type: "drawn", value: "data:image/png;base64," + "A".repeat(2_000_000) }, consent: true })));

  const stopWatching = watch(server);
  const answers = await sendAll(requests, 4);
  const watched = await stopWatching();

  expect(answers.length).toBeGreaterThanOrEqual(500);
  const notClientErrors = answers.filter((a) => a.status < 400 || a.status >= 500);
  expect(notClientErrors.map((a) => `${a.input}: ${a.status} ${JSON.stringify(a.body)?.slice(0, 200)}`)).toEqual([]);
  expect(answers.filter((a) => !a.code).map((a) => a.input)).toEqual([]);
  // Deep JSON is refused as such, or (over 1 MiB on the signing API) for its size first.
  expect(answers.filter((a) => a.input.startsWith("deep ") && a.code !== "json_too_deep" && a.code !== "payload_too_large").map((a) => a.input)).toEqual([]);
  expect(watched.healthFailures).toBe(0);
  const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
  expect(slowest.ms).toBeLessThan(10_000);
  expect(watched.peakRssMb).toBeLessThan(1000);
  console.log(JSON.stringify({
    database,
    hostileBodies: { inputs: answers.length, statuses: histogram(answers), codes: codes(answers), slowest: { input: slowest.input.slice(0, 60), ms: Math.round(slowest.ms) }, ...watched },
  }));
}

async function bodiesThatAreNotObjects() {
  const key = { authorization: `Bearer ${server.key}` };
  const json = { ...key, "content-type": "application/json" };
  const { doc, draft, sent } = await realEnvelopes();
  const template = await (await fetch(`${server.url}/api/v1/templates`, { method: "POST", headers: json, body: JSON.stringify({ name: "T", subject: "S", documentIds: [doc.id], roles: [{ roleName: "Signer" }] }) })).json();
  expect([draft.id, sent.id, template.id].every(Boolean)).toBe(true);
  const routes: [string, string][] = [
    ["POST", "/api/v1/envelopes"],
    ["PATCH", `/api/v1/envelopes/${draft.id}`],
    ["PATCH", `/api/v1/envelopes/${sent.id}/recipients/${sent.recipients[0].id}`],
    ["POST", "/api/v1/templates"],
    ["PATCH", `/api/v1/templates/${template.id}`],
    ["POST", "/api/v1/documents"],
    ["POST", "/api/v1/webhooks"],
    ["POST", "/api/v1/keys"],
  ];
  const answers: string[] = [];
  for (const [method, path] of routes)
    for (const body of [null, 0, 12345, "text", [], [{}], true]) {
      const res = await fetch(server.url + path, { method, headers: json, body: JSON.stringify(body) });
      const problem = await res.json();
      answers.push(`${method} ${path.replace(/_[0-9a-z]+/g, "_…")} ${JSON.stringify(body)}: ${res.status} ${problem.code} ${problem.errors?.[0]?.pointer}`);
    }
  expect(answers.filter((a) => !a.endsWith(": 422 validation_failed /"))).toEqual([]);
}

// PostgreSQL refuses what SQLite stores (a NUL in text): the same inputs on both.
for (const postgres of [false, true])
  describe.skipIf(postgres && !havePostgres)(postgres ? "on PostgreSQL" : "on SQLite", () => {
    beforeAll(async () => {
      server = await startProbeServer(postgres ? { CERTYNEO_DATABASE_URL: await (await testPostgres()).freshDatabase() } : {});
    });
    afterAll(() => server?.stop());
    test("generated bad bodies: every answer a 4xx with a code, /healthz up, RSS bounded", () => generatedBadBodies(postgres ? "postgres" : "sqlite"), 240_000);
    test("a JSON body that is not an object (null, a number, text, an array) is a 422 at \"/\" on every route that takes one", bodiesThatAreNotObjects);
  });
