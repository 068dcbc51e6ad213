/**
 * What the pipeline refuses before any route runs (the client address's rate limit, a URL with
 * %00, a body over the limit), and an address with no page, are answered as a short page, in the
 * reader's language, to a browser navigating to one of the server's pages (a signing link, the
 * console's login), and as the problem+json they always were to everyone else and on every API
 * path.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./helpers/server";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const LINK = `/s/${"D".repeat(43)}`;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ANONYMOUS_BURST: "2", CERTYNEO_MAX_UPLOAD_MB: "1" } });
});
afterAll(() => s.stop());

const get = (path: string, headers: Record<string, string>) => fetch(s.url + path, { headers });

describe("refusals on the server's pages", () => {
  test("over the address's limit: a browser gets a page in its language with the wait and the request id; others the problem", async () => {
    (s.clock as any).advance(60_000);
    for (let i = 0; i < 2; i++) expect((await get(LINK, { accept: BROWSER_ACCEPT })).status).toBe(200);

    const page = await get(LINK, { accept: BROWSER_ACCEPT, "accept-language": "de-CH,de;q=0.9,en;q=0.8" });
    expect(page.status).toBe(429);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-language")).toBe("de");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const wait = page.headers.get("retry-after")!;
    expect(Number(wait)).toBeGreaterThan(0);
    const html = await page.text();
    expect(html).toContain('<html lang="de" dir="ltr">');
    expect(html).toContain("<h1>Zu viele Anfragen</h1>");
    expect(html).toContain(`Versuchen Sie es in ${wait} Sekunden erneut.`);
    expect(html).toContain(`<code>${page.headers.get("x-request-id")}</code>`);

    const problem = await get(LINK, { accept: "application/json" });
    expect(problem.status).toBe(429);
    expect(problem.headers.get("content-type")).toBe("application/problem+json");
    // Both answers of the address depend on Accept: a cache in front must not give one for the other.
    expect(problem.headers.get("vary")).toBe("accept");
    expect(page.headers.get("vary")).toBe("accept, accept-language");
    expect((await problem.json()).code).toBe("rate_limited");

    // The API answers its problems whatever the client accepts.
    const api = await get(`/api/v1/signing/${"D".repeat(43)}`, { accept: BROWSER_ACCEPT });
    expect(api.status).toBe(429);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a URL with %00: the page says the address is not valid, right to left in Arabic", async () => {
    const page = await get(`/s/abc%00def`, { accept: BROWSER_ACCEPT, "accept-language": "ar" });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain("<h1>عنوان غير صالح</h1>");
  });

  test("a signing link cut short, or the server's root: a page that says no page is there; the API's unknown paths stay problems", async () => {
    (s.clock as any).advance(60_000);
    for (const path of ["/s/", "/"]) {
      const page = await get(path, { accept: BROWSER_ACCEPT, "accept-language": "es-MX,es;q=0.9" });
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await page.text();
      expect(html).toContain("<title>Página no encontrada</title>");
      expect(html).toContain("Compruebe el enlace que ha seguido: puede que esté cortado.");
    }
    (s.clock as any).advance(60_000);
    const script = await get("/s/", {});
    expect(script.status).toBe(404);
    expect((await script.json()).code).toBe("route_not_found");
    const api = await get(`/api/v1/signing/${"D".repeat(43)}/nothing-here`, { accept: BROWSER_ACCEPT });
    expect(api.headers.get("content-type")).toBe("application/problem+json");
    expect((await api.json()).code).toBe("route_not_found");
  });

  test("a login form over the body limit: a page, in English for a language the server does not speak", async () => {
    (s.clock as any).advance(60_000);
    const res = await fetch(s.url + "/admin/login", {
      method: "POST",
      headers: { accept: BROWSER_ACCEPT, "accept-language": "ja", "content-type": "application/x-www-form-urlencoded" },
      body: "a=" + "x".repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-language")).toBe("en");
    const html = await res.text();
    expect(html).toContain("<title>Request too large</title>");
    expect(html).toContain("What your browser sent is larger than this server accepts.");
  });
});
