/**
 * The embedded assets browsers load (the signing page's scripts, pdf.js, the API docs page, the console's) go
 * gzip-compressed to a client that takes it, and as they are to one that does not.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { acceptsGzip } from "../src/http/static-asset";
import { startTestServer, type TestServer } from "./helpers/server";

const PKG = (path: string) => readFileSync(join(import.meta.dir, "../node_modules", path));
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
});
afterAll(() => s.stop());

/** The answer as sent, not decompressed by the client. */
async function raw(path: string, acceptEncoding: string) {
  const res = await fetch(`${s.url}${path}`, { headers: { "accept-encoding": acceptEncoding }, decompress: false });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe("Accept-Encoding", () => {
  test.each([
    ["gzip", true], ["gzip, deflate, br, zstd", true], ["br;q=1.0, gzip;q=0.8", true], ["GZIP", true], ["*", true], ["br, *;q=0.5", true],
    [null, false], ["", false], ["identity", false], ["br", false], ["gzip;q=0", false], ["gzip;q=0.000", false], ["gzip;q=0, *", false], ["*;q=0", false],
  ])("%p takes gzip: %p", (header, takes) => {
    expect(acceptsGzip(header)).toBe(takes);
  });
});

describe("compressed assets", () => {
  test("pdf.js goes gzip-compressed, a third of its size, and unpacks to the package's file", async () => {
    const file = PKG("pdfjs-dist/legacy/build/pdf.worker.min.mjs");
    // Twice: the first answer compresses it, the second takes what was kept.
    for (let i = 0; i < 2; i++) {
      const { res, body } = await raw("/s/assets/pdf.worker.min.mjs", "gzip, deflate, br");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe("gzip");
      expect(res.headers.get("vary")).toBe("accept-encoding");
      expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
      // The asset's own headers stay: the worker's CSP, and its cache lifetime.
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
      expect(Number(res.headers.get("content-length"))).toBe(body.length);
      expect(body.length).toBeLessThan(file.length * 0.35);
      expect(gunzipSync(body).equals(file)).toBe(true);
    }
  });

  test("a client that does not take gzip gets the file as it is", async () => {
    const file = PKG("pdfjs-dist/legacy/build/pdf.min.mjs");
    for (const header of ["identity", "gzip;q=0, *"]) {
      const { res, body } = await raw("/s/assets/pdf.min.mjs", header);
      expect({ header, encoding: res.headers.get("content-encoding") }).toEqual({ header, encoding: null });
      expect(res.headers.get("vary")).toBe("accept-encoding");
      expect(body.equals(file)).toBe(true);
    }
  });

  test("the page's own scripts and styles too; files gzip does not shrink go as they are", async () => {
    const signerJs = readFileSync(join(import.meta.dir, "../src/modules/signing/page/signer.js"));
    const { res, body } = await raw("/s/assets/signer.js", "gzip");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(body).equals(signerJs)).toBe(true);
    const css = await raw("/s/assets/signer.css", "gzip");
    expect(css.res.headers.get("content-encoding")).toBe("gzip");

    const cmap = await raw("/s/assets/pdfjs/cmaps/UniJIS-UTF16-H.bcmap", "gzip");
    expect(cmap.res.headers.get("content-encoding")).toBeNull();
    expect(cmap.res.headers.get("vary")).toBeNull();
    expect(cmap.body.equals(PKG("pdfjs-dist/cmaps/UniJIS-UTF16-H.bcmap"))).toBe(true);
  });

  test("the console's stylesheet and script go compressed, under URLs that change with their text", async () => {
    const login = await (await fetch(`${s.url}/admin/login`)).text();
    for (const name of ["admin.css", "admin.js"]) {
      const file = readFileSync(join(import.meta.dir, "../src/modules/admin/assets", name));
      const path = login.match(new RegExp(`/admin/assets/${name.replace(".", "\\.")}\\?v=[0-9a-z]+`))?.[0];
      expect(path).toBeDefined();
      const { res, body } = await raw(path!, "gzip");
      expect(res.headers.get("content-encoding")).toBe("gzip");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(gunzipSync(body).equals(file)).toBe(true);
      const plain = await raw(path!, "identity");
      expect(plain.body.equals(file)).toBe(true);
    }
    // The version is the files' own: a release that changes either one changes both URLs.
    const css = readFileSync(join(import.meta.dir, "../src/modules/admin/assets/admin.css"), "utf8");
    const js = readFileSync(join(import.meta.dir, "../src/modules/admin/assets/admin.js"), "utf8");
    expect(login).toContain(`?v=${Bun.hash(`${css}\0${js}`).toString(36)}`);
  });

  test("the API docs page's Swagger UI goes compressed", async () => {
    const file = PKG("swagger-ui-dist/swagger-ui-bundle.js");
    const { res, body } = await raw("/docs/assets/swagger-ui-bundle.js", "gzip");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(gunzipSync(body).equals(file)).toBe(true);
    const plain = await raw("/docs/assets/swagger-ui.css", "identity");
    expect(plain.res.headers.get("content-encoding")).toBeNull();
    expect(plain.body.equals(PKG("swagger-ui-dist/swagger-ui.css"))).toBe(true);
  });
});
