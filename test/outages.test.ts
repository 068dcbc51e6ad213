/**
 * What the server depends on going away while it runs, then coming back (a TCP relay in front of
 * the real PostgreSQL cluster or S3 server is cut, then restored). PostgreSQL: the API answers
 * 503 database_unavailable with Retry-After instead of 500, liveness stays up, background work
 * says once that it waits rather than an error per round. The bucket: 503 storage_unavailable
 * for what needs a file, while what needs only the database goes on. Both: everything works
 * again once they are back, without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEnvelope, quickStart, uploadDoc } from "./helpers/envelopes";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startS3Server, startS3TestServer, type S3TestServer } from "./helpers/s3";
import { startTestServer, type TestServer } from "./helpers/server";
import { freePort } from "./helpers/spawn";
import { tcpProxy } from "./helpers/tcp-proxy";

describe.skipIf(!havePostgres)("PostgreSQL unreachable", () => {
  let s: TestServer;
  let relay: ReturnType<typeof tcpProxy>;
  beforeAll(async () => {
    const url = new URL(await (await testPostgres()).freshDatabase());
    const port = await freePort();
    relay = tcpProxy(port, Number(url.port));
    url.port = String(port);
    s = await startTestServer({ realClock: true, env: { CERTYNEO_DATABASE_URL: url.toString(), CERTYNEO_JOBS_POLL_MS: "100" } });
  });
  afterAll(async () => {
    relay?.restore();
    await s?.stop();
  });
  const said = (msg: string) => s.logs.filter((l) => l.msg === msg).length;
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await Bun.sleep(50);
  };

  test("503 database_unavailable while it is away, then back to work without a restart", async () => {
    const doc = await uploadDoc(s);
    const before = await createEnvelope(s, quickStart([doc.id]));
    relay.cut();

    for (const [method, path, json] of [
      ["GET", `/api/v1/documents/${doc.id}`, undefined],
      ["GET", `/api/v1/envelopes/${before.id}`, undefined],
      ["GET", "/api/v1/envelopes", undefined],
      ["POST", "/api/v1/envelopes", quickStart([doc.id])],
    ] as const) {
      const res = await s.api(path, { method, json });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      const body = await res.json();
      expect(body.code).toBe("database_unavailable");
      expect(body.message).toContain("Idempotency-Key");
    }
    // The console says it as one of its pages, in the browser's language.
    for (const path of ["/admin/login", "/admin/envelopes"]) {
      const page = await fetch(`${s.url}${path}`, { headers: { "accept-language": "fr" } });
      expect(page.status, path).toBe(503);
      expect(page.headers.get("content-type"), path).toStartWith("text/html");
      expect(page.headers.get("retry-after"), path).toBe("5");
      const text = await page.text();
      expect(text).toContain('<html lang="fr"');
      expect(text).toContain("The database cannot be reached");
    }
    // Liveness is the process's: an orchestrator restarting it would not bring the database back.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    // Background work: one warning for the outage, not an error per round.
    await until(() => said("database unreachable: background work waits for it") > 0);
    await Bun.sleep(500);
    expect(said("database unreachable: background work waits for it")).toBe(1);
    expect(s.logs.filter((l) => l.level === "error" && /periodic job failed|job claim failed|failed to poll/.test(String(l.msg)))).toEqual([]);

    relay.restore();
    await until(() => said("database usable again: background work goes on") > 0);
    expect(said("database usable again: background work goes on")).toBe(1);
    const after = await s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]) });
    expect(after.status).toBe(201);
    expect((await s.api(`/api/v1/envelopes/${before.id}`)).status).toBe(200);
  });
});

describe("the S3 bucket unreachable", () => {
  let s3: S3TestServer;
  let s: TestServer;
  let relay: ReturnType<typeof tcpProxy>;
  beforeAll(async () => {
    s3 = await startS3Server();
    const port = await freePort();
    relay = tcpProxy(port, Number(new URL(s3.endpoint).port));
    s = await startS3TestServer({ ...s3, env: (prefix) => ({ ...s3.env(prefix), S3_ENDPOINT: `http://127.0.0.1:${port}` }) }, "outage/");
  });
  afterAll(async () => {
    relay?.restore();
    await s?.stop();
    await s3?.stop();
  });
  const upload = async () => {
    const form = new FormData();
    form.set("file", new File([await makePdf(1, `outage ${crypto.randomUUID()}`)], "contract.pdf"));
    return s.api("/api/v1/documents", { method: "POST", body: form });
  };

  test("503 storage_unavailable for what needs a file; what needs only the database goes on", async () => {
    const doc = await uploadDoc(s);
    relay.cut();
    for (const res of [await upload(), await s.api(`/api/v1/documents/${doc.id}/content`)]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect((await res.json()).code).toBe("storage_unavailable");
    }
    expect((await s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]) })).status).toBe(201);
    expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(200);
    // The refused upload left no document behind.
    expect(((await (await s.api("/api/v1/documents")).json()) as { data: unknown[] }).data).toHaveLength(1);

    relay.restore();
    expect((await upload()).status).toBe(201);
    expect((await s.api(`/api/v1/documents/${doc.id}/content`)).status).toBe(200);
  });
});
