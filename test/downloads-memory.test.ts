/**
 * Downloads are streamed from the store, not read into the server's memory: a real server
 * process serves a large uploaded PDF (generated here, never committed) to several clients at
 * once, from a data directory and from a bucket, and its peak resident memory while they
 * download stays below one copy of the file. Reading each blob whole (what downloads did
 * before) costs a copy per concurrent download: ~450 MB for these four on disk, ~580 MB from a
 * bucket (0.1 and 12 MB since; figures in docs/decisions.md).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { noisePdf } from "./helpers/pdf";
import { cpuSeconds, memoryBytes } from "./helpers/proc";
import { startS3Server, type S3TestServer } from "./helpers/s3";
import { BUN, freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";

const MB = 1024 * 1024;
const SIZE_MB = 64;
const DOWNLOADS = 4;

const cpuMs = (pid: number) => cpuSeconds(pid) * 1000;

let s3: S3TestServer;
let pdf: Uint8Array;
beforeAll(async () => {
  s3 = await startS3Server();
  pdf = await noisePdf(SIZE_MB);
});
afterAll(() => s3.stop());

describe.each([
  ["a data directory", (): Record<string, string> => ({})],
  ["a bucket", () => s3.env("memory")],
])("from %s", (where, storage) => {
  test(`${DOWNLOADS} concurrent downloads of a ${SIZE_MB} MB PDF: byte-identical, and the server's peak memory grows by less than one copy`, async () => {
    const dir = tempDir("certyneo-download-memory-");
    const env = { CERTYNEO_DATA_DIR: dir, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_LOG_LEVEL: "warn", CERTYNEO_MAX_UPLOAD_MB: String(SIZE_MB * 2), ...storage() };
    const port = await freePort();
    const server = Bun.spawn([BUN, "src/main.ts", "serve"], {
      cwd: ROOT, env: { ...process.env, ...env, CERTYNEO_PORT: String(port) }, stdout: Bun.file(join(dir, "server.log")), stderr: Bun.file(join(dir, "server.err")),
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, 30_000);
      const created = run([BUN, "src/main.ts", "keys", "create", "--env", "test", "--name", "memory", "--json"], { env });
      expect(created.code, created.stderr).toBe(0);
      const authorization = `Bearer ${JSON.parse(created.stdout).key}`;
      const file = join(dir, "large.pdf");
      writeFileSync(file, pdf);
      const form = new FormData();
      form.append("file", Bun.file(file, { type: "application/pdf" }), "large.pdf");
      const up = await fetch(`${url}/api/v1/documents`, { method: "POST", headers: { authorization }, body: form });
      expect(up.status, await up.clone().text()).toBe(201);
      const doc = await up.json();

      // The upload's own buffers are behind us; clear_refs 5 resets the peak (VmHWM) to the current
      // RSS, so the peak from here on is the downloads'.
      await Bun.sleep(500);
      writeFileSync(`/proc/${server.pid}/clear_refs`, "5");
      const before = memoryBytes(server.pid, "VmRSS");
      const cpuBefore = cpuMs(server.pid);

      // Every answer's headers first (the old code had read its whole file by then), then the bodies, hashed as they come.
      const answers = await Promise.all(Array.from({ length: DOWNLOADS }, () => fetch(`${url}/api/v1/documents/${doc.id}/content`, { headers: { authorization } })));
      const hashes = await Promise.all(answers.map(async (res) => {
        expect(res.status).toBe(200);
        const hasher = new Bun.CryptoHasher("sha256");
        for await (const chunk of res.body!) hasher.update(chunk);
        return hasher.digest("hex");
      }));
      const growth = memoryBytes(server.pid, "VmHWM") - before;
      const figures = { from: where, fileMB: +(pdf.length / MB).toFixed(1), downloads: DOWNLOADS, rssBeforeMB: +(before / MB).toFixed(1), peakGrowthMB: +(growth / MB).toFixed(1), serverCpuMs: cpuMs(server.pid) - cpuBefore };
      console.log(JSON.stringify({ downloadMemory: figures }));
      expect(hashes).toEqual(Array(DOWNLOADS).fill(doc.sha256));
      expect(growth).toBeLessThan(pdf.length);
    } finally {
      server.kill();
      await server.exited;
    }
  });
});
