import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";
import { makePdf } from "./helpers/pdf";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, " ").trim());

describe("README quick start stays true", () => {
  test("the two set-up commands are npm start and npm test", () => {
    expect(shellBlocks).toContain("npm install && npm start");
    expect(shellBlocks).toContain("npm install && npm test");
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
    expect(ci).toContain("npm test");
  });

  test("npm start serves on embedded defaults; the key command and the curl upload work as written", async () => {
    const dir = tempDir("certyneo-readme-");
    const port = await freePort();
    writeFileSync(join(dir, "contract.pdf"), await makePdf(1));
    // npm start from the repository, with only the data directory and port moved.
    const env = { CERTYNEO_DATA_DIR: join(dir, "data"), CERTYNEO_PORT: String(port) };
    const server = Bun.spawn(["npm", "start"], { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url);
      const keyCmd = shellBlocks.find((b) => b.includes("keys create"))!;
      const keyOut = run(["bash", "-c", keyCmd], { env });
      expect(keyOut.code, keyOut.stderr).toBe(0);
      const key = keyOut.stdout.trim().split("\n").at(-1)!;
      expect(key).toMatch(/^sk_test_/);

      const uploadCmd = shellBlocks.find((b) => b.includes("/api/v1/documents"))!.replaceAll("http://localhost:3000", url);
      const up = run(["bash", "-c", uploadCmd], { cwd: dir, env: { KEY: key } });
      const doc = JSON.parse(up.stdout);
      expect(doc.id).toMatch(/^doc_/);

      const envelopeCmds = shellBlocks.find((b) => b.includes("/api/v1/envelopes"))!.replaceAll("http://localhost:3000", url).split("\n");
      const created = JSON.parse(run(["bash", "-c", envelopeCmds[0]!.replace("DOC_ID", doc.id)], { env: { KEY: key } }).stdout);
      expect(created.status).toBe("DRAFT");
      const sent = JSON.parse(run(["bash", "-c", envelopeCmds[1]!.replace("ENV_ID", created.id)], { env: { KEY: key } }).stdout);
      expect(sent.status).toBe("SENT");
      expect(sent.recipients[0].signUrl).toStartWith("http");
    } finally {
      server.kill("SIGTERM");
      await server.exited;
    }
  }, 60_000);
});
