import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

describe("OpenAPI", () => {
  test("documents every API route with the bearer scheme and error responses", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    expect(spec.openapi).toStartWith("3.1");
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const documented = new Set(Object.entries(spec.paths).flatMap(([p, ops]: any) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const routes = s.running.app.elysia.routes
      .filter((r) => r.path.startsWith("/api/v1/") || r.path === "/healthz")
      .map((r) => `${r.method} ${(r.path.replace(/\/$/, "")).replace(/:(\w+)/g, "{$1}")}`);
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) expect(documented.has(r), r).toBe(true);
    // Every body is documented with its media type: a route whose only parse was the app's own
    // hook (app.ts) had its JSON body left out (an empty content), and the SDKs took no body.
    const bodies = Object.entries(spec.paths).flatMap(([p, ops]: any) => Object.entries(ops).filter(([, op]: any) => op.requestBody).map(([m, op]: any) => [`${m.toUpperCase()} ${p}`, Object.keys(op.requestBody.content ?? {})]));
    expect(bodies.length).toBeGreaterThan(10);
    expect(bodies.filter(([, types]) => !types.length)).toEqual([]);
    expect(Object.fromEntries(bodies)).toMatchObject({ "POST /api/v1/keys": ["application/json"], "POST /api/v1/webhooks": ["application/json"], "PATCH /api/v1/webhooks/{id}": ["application/json"] });
    const upload = spec.paths["/api/v1/documents"].post;
    expect(Object.keys(upload.requestBody.content).sort()).toEqual(["application/json", "multipart/form-data"]);
    // A validation failure is documented as the problem shape with its list of bad fields.
    const problem = (Object.values(upload.responses["422"].content) as { schema: any }[])[0]!.schema;
    expect(problem.required).toEqual(expect.arrayContaining(["type", "title", "status", "detail", "code"]));
    expect(problem.properties.errors.items.required).toEqual(["pointer", "message"]);
  });

  for (const path of ["/openapi.json", "/openapi-3.0.json"])
    test(`${path} passes redocly lint`, async () => {
      const spec = await (await fetch(`${s.url}${path}`)).text();
      const dir = mkdtempSync(join(tmpdir(), "certyneo-openapi-"));
      writeFileSync(join(dir, "openapi.json"), spec);
      const bin = join(import.meta.dir, "../node_modules/.bin/redocly");
      const p = Bun.spawnSync([bin, "lint", "openapi.json", "--format=summary"], { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
      const out = p.stdout.toString() + p.stderr.toString();
      expect(out).toContain("valid");
      expect(p.exitCode, out).toBe(0);
    }, 120_000);

  test("every operation has a readable, unique operationId and every response a description", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    const ops = Object.entries<any>(spec.paths).flatMap(([path, byMethod]) => Object.entries<any>(byMethod).map(([method, op]) => ({ path, method, op })));
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      // Elysia's fallback reads like "postApiV1EnvelopesByIdSend": a route without its own id.
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z]+[A-Z][A-Za-z]*$/);
      expect(op.operationId, `${method} ${path}`).not.toMatch(/ApiV1|By[A-Z]/);
      for (const [status, res] of Object.entries<any>(op.responses)) {
        expect(res.description, `${method} ${path} ${status}`).toBeString();
        expect(res.description, `${method} ${path} ${status}`).not.toMatch(/^Response for status/);
      }
    }
    expect(ids).toEqual(expect.arrayContaining(["createEnvelope", "sendEnvelope", "uploadDocument", "downloadDocument", "listEnvelopes"]));
  });

  test("every POST taking an API key declares the Idempotency-Key header; the signing API does not", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    const header = spec.components.parameters.IdempotencyKey;
    expect(header).toMatchObject({ name: "Idempotency-Key", in: "header", required: false });
    const posts = Object.entries<any>(spec.paths).filter(([, ops]) => ops.post);
    expect(posts.length).toBeGreaterThan(5);
    for (const [path, ops] of posts) {
      const declared = (ops.post.parameters ?? []).some((p: any) => p.$ref === "#/components/parameters/IdempotencyKey");
      expect(declared, path).toBe(!path.startsWith("/api/v1/signing/"));
    }
  });

  test("the stored-PDF attachments document their Range answers; the signer page's inline PDFs do not", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    for (const path of ["/api/v1/documents/{id}/content", "/api/v1/envelopes/{id}/signed-document"]) {
      const responses = spec.paths[path].get.responses;
      expect(Object.keys(responses["200"].headers ?? {}).sort(), path).toEqual(["accept-ranges", "etag"]);
      expect(responses["206"]?.content?.["application/pdf"], path).toBeDefined();
      expect(responses["416"], path).toBeDefined();
    }
    expect(spec.paths["/api/v1/signing/{token}/documents/{documentId}"].get.responses["206"]).toBeUndefined();
  });

  test("the 3.0 edition describes the same operations in the 3.0 dialect", async () => {
    const v31 = await (await fetch(`${s.url}/openapi.json`)).json();
    const v30 = await (await fetch(`${s.url}/openapi-3.0.json`)).json();
    expect(v30.openapi).toBe("3.0.3");
    const opsOf = (d: any) => Object.entries<any>(d.paths).flatMap(([p, m]) => Object.entries<any>(m).map(([k, op]) => `${k} ${p} ${op.operationId}`)).sort();
    expect(opsOf(v30)).toEqual(opsOf(v31));
    const text = JSON.stringify(v30);
    expect(text).not.toContain('"const"');
    expect(text).not.toContain('"type":"null"');
    expect(text).not.toContain('"patternProperties"');
    // A nullable member survives as `nullable: true`.
    const recipient = v30.paths["/api/v1/envelopes/{id}"].get.responses["200"].content["application/json"].schema.properties.recipients.items;
    expect(recipient.properties.phone).toMatchObject({ type: "string", nullable: true });
  });

  test("query parameters are documented as numbers, not as numeric text", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    const limit = spec.paths["/api/v1/envelopes"].get.parameters.find((p: any) => p.name === "limit");
    expect(limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
  });

  test("the docs page and its assets are served by the server itself, with no outside URL", async () => {
    const page = await (await fetch(`${s.url}/docs`)).text();
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(1);
    for (const u of urls) {
      expect(u.startsWith("/"), u).toBe(true);
      const asset = await fetch(s.url + u);
      expect(asset.status, u).toBe(200);
    }
    expect(page).not.toMatch(/https?:\/\//);
  });
});
