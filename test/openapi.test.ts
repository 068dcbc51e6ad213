import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(() => { s = startTestServer(); });
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
    const upload = spec.paths["/api/v1/documents"].post;
    expect(Object.keys(upload.requestBody.content).sort()).toEqual(["application/json", "multipart/form-data"]);
    // A validation failure is documented as the problem shape with its list of bad fields.
    const problem = (Object.values(upload.responses["422"].content) as { schema: any }[])[0]!.schema;
    expect(problem.required).toEqual(expect.arrayContaining(["type", "title", "status", "detail", "code"]));
    expect(problem.properties.errors.items.required).toEqual(["pointer", "message"]);
  });

  test("passes redocly lint", async () => {
    const spec = await (await fetch(`${s.url}/openapi.json`)).text();
    const dir = mkdtempSync(join(tmpdir(), "certyneo-openapi-"));
    writeFileSync(join(dir, "openapi.json"), spec);
    const bin = join(import.meta.dir, "../node_modules/.bin/redocly");
    const p = Bun.spawnSync([bin, "lint", "openapi.json", "--format=summary"], { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
    const out = p.stdout.toString() + p.stderr.toString();
    expect(out).toContain("valid");
    expect(p.exitCode, out).toBe(0);
  }, 120_000);

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
