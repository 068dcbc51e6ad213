/**
 * The signer page over HTTP (no browser): security headers, the embedded assets, and the rules
 * that keep the page self-contained (no inline script, no outside URL, every pdf.js data file
 * embedded). The browser tests are in signer-page.browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pdfjsDataFiles } from "../src/modules/signing/page/gen-pdfjs-assets";
import { assetVersion, signerAssetNames } from "../src/modules/signing/page/page";
import { PDFJS_DATA } from "../src/modules/signing/page/pdfjs-assets";
import { STRINGS } from "../src/modules/signing/page/i18n.js";
import { startTestServer, type TestServer } from "./helpers/server";
import { expectEveryLocaleComplete } from "./helpers/strings";

const PAGE_DIR = join(import.meta.dir, "../src/modules/signing/page");
const TOKEN = "A".repeat(43);
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
});
afterAll(() => s.stop());

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k!, v]));
}

describe("GET /s/{token}", () => {
  test("answers the page with strict security headers", async () => {
    const res = await fetch(`${s.url}/s/${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-frame-options")).toBe("DENY");

    const csp = directives(res.headers.get("content-security-policy")!);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("worker-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'none'"]);
    // Only 'self', plus data:/blob: for the images and fonts pdf.js builds in memory.
    for (const [name, sources] of csp) {
      for (const src of sources) expect(["'self'", "'none'", "data:", "blob:"]).toContain(src);
      if (sources.includes("data:") || sources.includes("blob:")) expect(["img-src", "font-src"]).toContain(name);
    }

    const html = await res.text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain(`/s/assets/signer.js?v=${assetVersion()}`);
    expect(html).not.toContain("{{v}}");
  });

  test("is the same page for any token: the page asks the API, which knows the tokens", async () => {
    const a = await (await fetch(`${s.url}/s/${TOKEN}`)).text();
    const b = await (await fetch(`${s.url}/s/not-a-token`)).text();
    expect(a).toBe(b);
  });

  test("the page, its script and its style carry no inline script, no inline style and no outside URL", () => {
    const html = readFileSync(join(PAGE_DIR, "signer.html"), "utf8");
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/s\/assets\//);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style\b/i);
    for (const file of ["signer.html", "signer.js", "signer.css", "i18n.js"]) {
      const text = readFileSync(join(PAGE_DIR, file), "utf8");
      expect({ file, urls: text.match(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? [] }).toEqual({ file, urls: [] });
      expect({ file, innerHTML: /\.(?:innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write/.test(text) }).toEqual({ file, innerHTML: false });
    }
  });
});

describe("GET /s/assets/*", () => {
  test("serves every asset with its type, nosniff and no referrer", async () => {
    const types: Record<string, RegExp> = {
      "signer.js": /^text\/javascript/, "i18n.js": /^text\/javascript/, "signer.css": /^text\/css/,
      "pdf.min.mjs": /^text\/javascript/, "pdf.worker.min.mjs": /^text\/javascript/,
      "pdfjs/cmaps/UniJIS-UTF16-H.bcmap": /^application\/octet-stream/, "pdfjs/standard_fonts/FoxitSerif.pfb": /^application\/octet-stream/,
      "pdfjs/standard_fonts/LiberationSans-Regular.ttf": /^font\/ttf/, "pdfjs/wasm/openjpeg.wasm": /^application\/wasm/,
      "pdfjs/wasm/openjpeg_nowasm_fallback.js": /^text\/javascript/, "pdfjs/iccs/CGATS001Compat-v2-micro.icc": /^application\/vnd.iccprofile/,
    };
    for (const [name, type] of Object.entries(types)) {
      const res = await fetch(`${s.url}/s/assets/${name}?v=${assetVersion()}`);
      const body = new Uint8Array(await res.arrayBuffer());
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect(res.headers.get("content-type")).toMatch(type);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(body.length).toBeGreaterThan(0);
    }
    // The pdf.js worker may compile its WebAssembly image decoders, and nothing else.
    const worker = await fetch(`${s.url}/s/assets/pdf.worker.min.mjs`);
    expect(worker.headers.get("content-security-policy")).toBe("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'");
  });

  test("the bundled pdf.js is the package's, byte for byte", async () => {
    const served = new Uint8Array(await (await fetch(`${s.url}/s/assets/pdf.min.mjs`)).arrayBuffer());
    const pkg = readFileSync(join(import.meta.dir, "../node_modules/pdfjs-dist/legacy/build/pdf.min.mjs"));
    expect(Buffer.from(served).equals(pkg)).toBe(true);
  });

  test("unknown names and path tricks are 404, never a file from the disk", async () => {
    for (const name of ["nope.js", "pdfjs/cmaps/../../../../package.json", "pdfjs/cmaps/LICENSE", "%2e%2e/%2e%2e/package.json", "signer.html"]) {
      const res = await fetch(`${s.url}/s/assets/${name}`);
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
      await res.arrayBuffer();
    }
  });

  test("every pdf.js data file of the installed package is embedded (run gen-pdfjs-assets.ts after an upgrade)", () => {
    expect(Object.keys(PDFJS_DATA).sort()).toEqual(pdfjsDataFiles().sort());
    expect(signerAssetNames()).toEqual(expect.arrayContaining(pdfjsDataFiles().map((f) => `pdfjs/${f}`)));
  });
});

describe("strings", () => {
  test("every language of the server has every English string, not empty, with the same placeholders", () => {
    expectEveryLocaleComplete(STRINGS);
  });
});
