import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../sdk/typescript/src/index";
import { checksFor, codeBlocks } from "./helpers/markdown";
import { makePdf } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";
import { ROOT, runAsync, tempDir } from "./helpers/spawn";
import { signedDelivery } from "./helpers/webhook-cases";

/**
 * `npm pack` of sdk/typescript installed offline into an empty project, then every example of
 * its README run from that install, on Node and on Bun, against a real server.
 */
const SDK = join(ROOT, "sdk/typescript");
const readme = readFileSync(join(SDK, "README.md"), "utf8");
let s: TestServer;
let app: string;
let key: string;

beforeAll(async () => {
  s = await startTestServer();
  key = await s.key("test", "sdk readme");
  const out = tempDir("certyneo-sdk-pack-");
  const pack = await runAsync(["npm", "pack", "--pack-destination", out], { cwd: SDK });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = readdirSync(out).find((f) => f.endsWith(".tgz"))!;
  expect(tarball).toBe(`certyneo-sdk-${VERSION}.tgz`);
  app = tempDir("certyneo-sdk-app-");
  writeFileSync(join(app, "package.json"), JSON.stringify({ private: true }));
  const install = await runAsync(["npm", "install", "--offline", "--no-audit", "--no-fund", join(out, tarball)], { cwd: app });
  expect(install.code, install.stderr).toBe(0);
  writeFileSync(join(app, "contract.pdf"), await makePdf(1));
}, 120_000);
afterAll(() => s.stop());

const RUNTIMES: [string, string[]][] = [["node", ["node"]], ["bun", [process.execPath]]];
const env = () => ({ CERTYNEO_API_KEY: key });
const run = (rt: string[], file: string, extra: Record<string, string> = {}) => runAsync([...rt, file], { cwd: app, env: { ...env(), ...extra } });
const pdfHeader = (file: string) => readFileSync(join(app, file)).subarray(0, 5).toString();

type Check = (file: string, rt: string[]) => Promise<void>;
const CHECKS: Record<string, Check> = {
  "envelopes.send(envelope.id)).recipients[0].signUrl": async (file, rt) => {
    const r = await run(rt, file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toStartWith(`${s.url}/s/`);
  },
  waitForCompletion: async (file, rt) => {
    const r = await run(rt, file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("COMPLETED SEALED");
    expect(pdfHeader("signed.pdf")).toBe("%PDF-");
    expect(pdfHeader("audit-trail.pdf")).toBe("%PDF-");
  },
  "for await": async (file, rt) => {
    const r = await run(rt, file);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^env_\w+ .+ (SENT|VIEWED|SIGNED|PENDING)/);
  },
  "instanceof CertyneoError": async (file, rt) => {
    const r = await run(rt, file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^422 validation_failed req_[\w-]+\n/);
    expect(r.stdout).toContain("  /subject: ");
  },
  idempotencyKey: async (file, rt) => {
    const r = await run(rt, file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("true");
  },
  "verifyWebhook(": async (file, rt) => {
    const envelope = (await (await s.api("/api/v1/envelopes?limit=1")).json()).data[0];
    const { secret, body, headers } = signedDelivery(envelope);
    const driver = join(app, "drive-webhook.mjs");
    writeFileSync(driver, `
      import { handleCertyneoWebhook } from ${JSON.stringify(file)};
      const { body, headers } = JSON.parse(process.env.DELIVERY);
      const post = (b) => handleCertyneoWebhook(new Request("http://receiver.test/hooks", { method: "POST", headers, body: b }));
      console.log((await post(body)).status, (await post(body.replace("evt_readme", "evt_forged"))).status);`);
    const r = await run(rt, driver, { CERTYNEO_WEBHOOK_SECRET: secret, DELIVERY: JSON.stringify({ body, headers }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([`completed ${envelope.id}`, "204 400"]);
  },
};

describe("@certyneo/sdk from its npm tarball", () => {
  const examples = checksFor(codeBlocks(readme, "js"), CHECKS);

  test("the README has a five-line quick start and an example for each check", () => {
    expect(examples.length).toBe(Object.keys(CHECKS).length);
    const quickStart = examples.find(([, check]) => check === CHECKS["envelopes.send(envelope.id)).recipients[0].signUrl"])![0];
    expect(quickStart.trim().split("\n").length).toBe(5);
    expect(codeBlocks(readme, "sh")).toContain("npm install @certyneo/sdk\n");
  });

  for (const [name, rt] of RUNTIMES) {
    test(`every README example runs on ${name} from the installed package`, async () => {
      for (const [i, [block, check]] of examples.entries()) {
        const file = join(app, `example-${name}-${i + 1}.mjs`);
        writeFileSync(file, block.replaceAll("http://localhost:3000", s.url));
        await check(file, rt);
      }
    }, 120_000);
  }

  test("a strict TypeScript project type-checks against the installed declarations", async () => {
    const dir = join(app, "typed");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: [], strict: true, noEmit: true },
      include: ["*.ts"],
    }));
    const consumer = (body: string) => `import { Certyneo, CertyneoError, verifyWebhook, type Envelope, type EnvelopeCreate, type Operations } from "@certyneo/sdk";
const certyneo = new Certyneo({ apiKey: "sk_test_x", baseUrl: "http://localhost:3000", maxRetries: 1 });
export async function main(): Promise<void> {
  ${body}
}
`;
    writeFileSync(join(dir, "good.ts"), consumer(`const input: EnvelopeCreate = { subject: "NDA", documentIds: ["doc_1"], recipients: [{ email: "a@example.com", name: "A", role: "SIGNER" }] };
  const envelope: Envelope = await certyneo.envelopes.create(input);
  const status: "DRAFT" | "SENT" | "COMPLETED" | "DECLINED" | "VOIDED" | "EXPIRED" = envelope.status;
  for await (const e of certyneo.envelopes.list({ status: "SENT" })) console.log(e.recipients[0]?.signUrl, status);
  const pdf: Uint8Array = await certyneo.envelopes.signedDocument(envelope.id);
  const query: Operations["GET /api/v1/envelopes"]["query"] = { limit: 10 };
  const event = await verifyWebhook("whsec_x", new Headers(), "{}");
  try { await certyneo.keys.list(); } catch (e) { if (e instanceof CertyneoError) console.log(e.status, e.code, e.requestId, pdf.length, query, event.data.envelope.id); }`));
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const good = await runAsync([tsc, "-p", dir], { cwd: dir });
    expect(good.stdout + good.stderr).toBe("");
    expect(good.code).toBe(0);
    // And the declarations refuse what the API refuses: a status the server does not have.
    writeFileSync(join(dir, "bad.ts"), consumer(`for await (const e of certyneo.envelopes.list({ status: "ARCHIVED" })) console.log(e.id);`));
    const bad = await runAsync([tsc, "-p", dir], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("ARCHIVED");
  }, 60_000);

  test("the package is ESM with declarations and no dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/@certyneo/sdk/package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.version).toBe(VERSION);
    const dist = readdirSync(join(app, "node_modules/@certyneo/sdk/dist"));
    expect(dist).toContain("index.js");
    expect(dist).toContain("index.d.ts");
    expect(readFileSync(join(app, "node_modules/@certyneo/sdk/dist/index.d.ts"), "utf8")).toContain("verifyWebhook");
  });
});
