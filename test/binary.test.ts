import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";
import { makePdf } from "./helpers/pdf";
import { SHARED_KEYS, sharedSoftHsm } from "./helpers/softhsm";

let built = false;
/** `npm run build`, once for the file: it starts from an empty dist/ (a build's chunk maps are named by their hashes, and piled up). */
function buildBinary() {
  if (built) return;
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  writeFileSync(join(ROOT, "dist/main-0ld0ld00.js.map"), "{}");
  const build = run(["npm", "run", "build"]);
  expect(build.code, build.stderr).toBe(0);
  expect(existsSync(join(ROOT, "dist/main-0ld0ld00.js.map"))).toBe(false);
  built = true;
}

describe("one binary", () => {
  test("`npm run build` makes dist/certyneo that runs alone in an empty directory", async () => {
    buildBinary();
    const dir = tempDir("certyneo-bin-");
    const bin = join(dir, "certyneo");
    copyFileSync(join(ROOT, "dist/certyneo"), bin);
    Bun.spawnSync(["chmod", "+x", bin]);

    // Nothing beside it: no node_modules, no migrations folder, no config file, no .env.
    const env = { PATH: "/usr/bin:/bin", HOME: dir };
    expect(run([bin, "--version"], { cwd: dir, env }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The licenses of what it carries travel inside it.
    expect(run([bin, "licenses"], { cwd: dir, env }).stdout).toBe(readFileSync(join(ROOT, "src/third-party-notices.txt"), "utf8"));
    const key = run([bin, "keys", "create", "--env", "test", "--name", "smoke"], { cwd: dir, env }).stdout.trim().split("\n").at(-1)!;
    expect(key).toStartWith("sk_test_");
    expect(existsSync(join(dir, "data/certyneo.db"))).toBe(true);

    const port = await freePort();
    const server = Bun.spawn([bin, "serve"], { cwd: dir, env: { ...env, CERTYNEO_PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url);
      // It started itself again with its allocator setting (src/allocator.ts), as the same process.
      expect(readFileSync(`/proc/${server.pid}/environ`, "utf8").split("\0")).toContain("MIMALLOC_PURGE_HOLES=0");
      const form = new FormData();
      form.set("file", new File([await makePdf(2)], "smoke.pdf"));
      const up = await fetch(`${url}/api/v1/documents`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
      expect(up.status).toBe(201);
      const doc = await up.json();
      expect(doc.pageCount).toBe(2);
      // The whole cycle inside the binary: its embedded fonts, pdf.js and migrations all work.
      const auth = { authorization: `Bearer ${key}` };
      const env = await (await fetch(`${url}/api/v1/envelopes`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ subject: "Binary", documentIds: [doc.id], recipients: [{ email: "z@example.com", name: "Zoë Ødegård" }] }),
      })).json();
      const sent = await (await fetch(`${url}/api/v1/envelopes/${env.id}/send`, { method: "POST", headers: auth })).json();
      const signUrl = new URL(sent.recipients[0].signUrl);
      const page = await fetch(`${url}${signUrl.pathname}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
      const token = signUrl.pathname.split("/").pop();
      const signed = await fetch(`${url}/api/v1/signing/${token}/complete`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ signature: { type: "typed", value: "Zoë Ødegård" }, consent: true }),
      });
      expect(signed.status).toBe(200);
      const sealed = await fetch(`${url}/api/v1/envelopes/${env.id}/signed-document`, { headers: auth });
      expect(sealed.status).toBe(200);
      expect(new TextDecoder().decode(new Uint8Array(await sealed.arrayBuffer()).slice(0, 5))).toBe("%PDF-");

      const docs = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
      expect(docs.status).toBe(200);
      expect((await docs.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.kill("SIGKILL");
    }
  }, 120_000);

  test("the binary opens a PKCS#11 key (bun:ffi inside the executable): a wrong PIN is one line, the right one starts it", async () => {
    buildBinary();
    const token = sharedSoftHsm();
    const dir = tempDir("certyneo-bin-hsm-");
    const env = { PATH: "/usr/bin:/bin", HOME: dir, ...token.env(SHARED_KEYS.p256.label, { CERTYNEO_SEAL_CERTIFICATE_PATH: token.chainPath(SHARED_KEYS.p256.label) }) };
    const bin = join(ROOT, "dist/certyneo");
    const refused = run([bin, "serve"], { cwd: dir, env: { ...env, CERTYNEO_PORT: "0", CERTYNEO_SEAL_PKCS11_PIN: "000000" } });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr.trim()).toBe(`certyneo: PKCS#11 token "${token.tokenLabel}": wrong PIN (CERTYNEO_SEAL_PKCS11_PIN)`);

    const port = await freePort();
    // Listening means the start-up checks passed: the token signed a probe the certificate verifies.
    const server = Bun.spawn([bin, "serve"], { cwd: dir, env: { ...env, CERTYNEO_PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(await new Response(server.stdout).text()).toContain("sealing key opened in a PKCS#11 token");
    } finally {
      server.kill("SIGKILL");
    }
  }, 120_000);
});
