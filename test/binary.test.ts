import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";
import { makePdf } from "./helpers/pdf";

describe("one binary", () => {
  test("`npm run build` makes dist/certyneo that runs alone in an empty directory", async () => {
    const build = run(["npm", "run", "build"]);
    expect(build.code, build.stderr).toBe(0);
    const dir = tempDir("certyneo-bin-");
    const bin = join(dir, "certyneo");
    copyFileSync(join(ROOT, "dist/certyneo"), bin);
    Bun.spawnSync(["chmod", "+x", bin]);

    // Nothing beside it: no node_modules, no migrations folder, no config file, no .env.
    const env = { PATH: "/usr/bin:/bin", HOME: dir };
    expect(run([bin, "--version"], { cwd: dir, env }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const key = run([bin, "keys", "create", "--env", "test", "--name", "smoke"], { cwd: dir, env }).stdout.trim().split("\n").at(-1)!;
    expect(key).toStartWith("sk_test_");
    expect(existsSync(join(dir, "data/certyneo.db"))).toBe(true);

    const port = await freePort();
    const server = Bun.spawn([bin, "serve"], { cwd: dir, env: { ...env, CERTYNEO_PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url);
      const form = new FormData();
      form.set("file", new File([await makePdf(2)], "smoke.pdf"));
      const up = await fetch(`${url}/api/v1/documents`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } });
      expect(up.status).toBe(201);
      expect((await up.json()).pageCount).toBe(2);
      const docs = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
      expect(docs.status).toBe(200);
      expect((await docs.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.kill("SIGKILL");
    }
  }, 120_000);
});
