import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

describe("one error shape", () => {
  test("unknown route 404, wrong method 405 with Allow, bad JSON 400, wrong content type 415", async () => {
    const cases: [string, RequestInit & { json?: unknown }, number, string][] = [
      ["/api/v1/nothing-here", {}, 404, "route_not_found"],
      ["/nothing", {}, 404, "route_not_found"],
      ["/api/v1/documents", { method: "PUT" }, 405, "method_not_allowed"],
      ["/api/v1/documents", { method: "POST", body: "{\"name\":", headers: { "content-type": "application/json" } }, 400, "invalid_json"],
      ["/api/v1/documents", { method: "POST", body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, "unsupported_media_type"],
      ["/api/v1/documents/doc_missing", {}, 404, "not_found"],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await s.api(path, init as any);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const body = await res.json();
      expect(body).toMatchObject({ status, code, type: `urn:certyneo:error:${code}` });
      expect(typeof body.title).toBe("string");
      expect(body.detail).toBe(body.message);
      expect(body.requestId).toBe(res.headers.get("x-request-id"));
    }
    const put = await s.api("/api/v1/documents", { method: "PUT" });
    expect(put.headers.get("allow")).toContain("GET");
    expect(put.headers.get("allow")).toContain("POST");
  });

  test("every response carries a request id; a sane incoming one is kept", async () => {
    const ok = await fetch(`${s.url}/healthz`);
    expect(ok.headers.get("x-request-id")).toMatch(/^req_[A-Za-z0-9_-]{12}_[0-9a-z]+$/);
    const mine = await fetch(`${s.url}/healthz`, { headers: { "x-request-id": "trace-1234abcd" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-1234abcd");
    const evil = await fetch(`${s.url}/healthz`, { headers: { "x-request-id": "<script>" } });
    expect(evil.headers.get("x-request-id")).toMatch(/^req_/);
  });

  test("healthz needs no key and tells the version", async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(await res.json()).toEqual({ status: "ok", version: (await import("../package.json")).version });
  });

  test("one structured log line per request with method, path, status, duration, key id", async () => {
    const key = await s.key("test", "logged");
    await s.api("/api/v1/documents?limit=3", { key });
    const line = s.logs.findLast((l) => l.msg === "request" && l.path === "/api/v1/documents")!;
    expect(line).toMatchObject({ method: "GET", status: 200, level: "info" });
    expect(line.keyId).toMatch(/^key_/);
    expect(typeof line.durationMs).toBe("number");
    expect(typeof line.requestId).toBe("string");
  });
});

describe("secrets stay out of logs", () => {
  test("signing tokens in the path are redacted from the access log", async () => {
    const { loggablePath } = await import("../src/http/pipeline");
    expect(loggablePath("/s/abcDEF123")).toBe("/s/{token}");
    expect(loggablePath("/api/v1/signing/abcDEF123/documents/doc_1")).toBe("/api/v1/signing/{token}/documents/doc_1");
    expect(loggablePath("/api/v1/documents/doc_1")).toBe("/api/v1/documents/doc_1");
    await fetch(`${s.url}/api/v1/signing/SECRETTOKEN1234567890`);
    await fetch(`${s.url}/s/SECRETTOKEN1234567890`);
    expect(JSON.stringify(s.logs)).not.toContain("SECRETTOKEN1234567890");
  });
});
