import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sampleContract } from "../scripts/sample-contract";
import { freePort, processTree, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, " ").trim());

describe("README quick start stays true", () => {
  test("docs/sample-contract.pdf is what scripts/sample-contract.ts writes", async () => {
    // Compared with their streams decompressed: the deflate in use depends on which modules this process loaded.
    const dir = tempDir("certyneo-sample-");
    const made = join(dir, "made.pdf");
    writeFileSync(made, await sampleContract());
    const normalised = (path: string) => run(["qpdf", "--qdf", "--static-id", "--object-streams=disable", path, "-"]).stdout;
    const expected = normalised(join(ROOT, "docs/sample-contract.pdf"));
    expect(expected).toContain("/Contents");
    expect(normalised(made)).toBe(expected);
  });

  test("the two set-up commands are npm start and npm test", () => {
    expect(shellBlocks).toContain("npm install && npm start");
    expect(shellBlocks).toContain("npm install && npm test");
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
    expect(ci).toContain("npm test");
  });

  test("npm start serves on embedded defaults; the quick start runs as written, to the sealed PDF", async () => {
    const dir = tempDir("certyneo-readme-");
    const port = await freePort();
    // npm start from the repository, with only the data directory and port moved.
    const env = { CERTYNEO_DATA_DIR: join(dir, "data"), CERTYNEO_PORT: String(port) };
    const server = Bun.spawn(["npm", "start"], { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url);
      const block = (needle: string) => shellBlocks.find((b) => b.includes(needle))!.replaceAll("http://localhost:3000", url);
      // The quick start as one script, from the repository (it uploads docs/sample-contract.pdf); then what it captured.
      const quick = run(["bash", "-c", `set -eo pipefail\n${block("keys create")}\necho "KEY=$KEY"; echo "ENV=$ENV"`], { env });
      expect(quick.code, quick.stderr).toBe(0);
      const lines = quick.stdout.trim().split("\n");
      const key = lines.find((l) => l.startsWith("KEY="))!.slice(4);
      const envelopeId = lines.find((l) => l.startsWith("ENV="))!.slice(4);
      const signUrl = lines.find((l) => l.startsWith("http"))!;
      expect(key).toMatch(/^sk_test_/);
      expect(envelopeId).toMatch(/^env_/);
      // The sample's text tag made Ana's signature field, in the box the page draws.
      const created = await (await fetch(`${url}/api/v1/envelopes/${envelopeId}`, { headers: { authorization: `Bearer ${key}` } })).json();
      expect(created.fields.map((f: { type: string; source: string; recipientId: string }) => [f.type, f.source, f.recipientId])).toEqual([["signature", "tag", created.recipients[0].id]]);
      // Ana signs through her link.
      const token = new URL(signUrl).pathname.split("/").pop();
      const signed = await fetch(`${url}/api/v1/signing/${token}/complete`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ signature: { type: "typed", value: "Ana Silva" }, consent: true }),
      });
      expect(signed.status).toBe(200);
      const downloads = run(["bash", "-c", `set -e\n${block("-o signed.pdf")}`], { cwd: dir, env: { KEY: key, ENV: envelopeId } });
      expect(downloads.code, downloads.stderr).toBe(0);
      for (const file of ["signed.pdf", "audit-trail.pdf"]) expect(readFileSync(join(dir, file), "latin1").slice(0, 5)).toBe("%PDF-");
      // Sealing took the tag's text out of the page.
      const text = run(["pdftotext", join(dir, "signed.pdf"), "-"]);
      expect(text.stdout).toContain("Employment contract (sample)");
      expect(text.stdout).not.toContain("{{");
      const admin = run(["bash", "-c", block("admin create")], { env });
      expect(admin.code, admin.stderr).toBe(0);
      expect(admin.stdout).toContain("Created admin you@example.com");
    } finally {
      // npm does not pass SIGTERM on: the server under it gets its own.
      for (const pid of processTree(server.pid)) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
      await server.exited;
    }
  }, 60_000);
});
