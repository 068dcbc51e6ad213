import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ERRORS } from "../src/errors";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.stop());

const textOf = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

describe("error codes are documented", () => {
  test("the errors page has one section per code with its status and meaning, and needs nothing from outside", async () => {
    const res = await fetch(`${s.url}/docs/errors`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    const page = await res.text();
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toContain("<script");
    const rows = [...page.matchAll(/<tr id="([a-z_]+)">([\s\S]*?)<\/tr>/g)].map((m) => [m[1]!, textOf(m[2]!)] as const);
    expect(rows.map(([code]) => code).sort()).toEqual(Object.keys(ERRORS).sort());
    for (const [code, text] of rows) {
      const { status, meaning } = ERRORS[code as keyof typeof ERRORS];
      expect(meaning.length, code).toBeGreaterThan(10);
      expect(meaning, code).not.toContain("\n");
      expect(text, code).toBe(`${code}${status}${meaning.replace(/`/g, "")}`);
    }
  });

  test("a problem's Link header leads to its code's section; type and code stay as they were", async () => {
    const cases = [
      { res: await s.api("/api/v1/documents/doc_nope"), code: "not_found" },
      { res: await s.api("/api/v1/documents", { key: null }), code: "unauthorized" },
      { res: await s.api("/api/v1/envelopes", { method: "POST", json: { subject: 1 } }), code: "validation_failed" },
      { res: await s.api("/api/v1/nowhere"), code: "route_not_found" },
    ];
    const page = await (await fetch(`${s.url}/docs/errors`)).text();
    for (const { res, code } of cases) {
      const body = await res.json();
      expect(body, code).toMatchObject({ code, type: `urn:certyneo:error:${code}`, status: ERRORS[code as keyof typeof ERRORS].status });
      const link = /^<([^>]+)>; rel="help"$/.exec(res.headers.get("link") ?? "");
      expect(link, code).not.toBeNull();
      const url = new URL(link![1]!);
      expect(url.origin + url.pathname).toBe(`${s.url}/docs/errors`);
      expect(url.hash).toBe(`#${code}`);
      expect(page).toContain(`<tr id="${code}">`);
    }
  });

  test("the OpenAPI text about rate limits follows the configuration", async () => {
    const descriptionWith = async (env: Record<string, string>) => {
      const other = await startTestServer({ env });
      try {
        return (await (await fetch(`${other.url}/openapi.json`)).json()).info.description as string;
      } finally {
        await other.stop();
      }
    };
    expect(await descriptionWith({ CERTYNEO_RATE_LIMIT_PER_MINUTE: "30", CERTYNEO_RATE_LIMIT_BURST: "7" })).toContain("Rate limit: 30 requests/minute per key with bursts of 7.");
    const off = await descriptionWith({ CERTYNEO_RATE_LIMIT_ENABLED: "false" });
    expect(off).toContain("no rate limit");
    expect(off).not.toContain("requests/minute");
    const spec = await (await fetch(`${s.url}/openapi.json`)).json();
    expect(spec.info.description).toContain(`Rate limit: ${s.deps.config.rateLimit.perMinute} requests/minute per key with bursts of ${s.deps.config.rateLimit.burst}.`);
    expect(spec.info.description).toContain("/docs/errors");
  });
});
