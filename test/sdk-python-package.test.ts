import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksFor, codeBlocks } from "./helpers/markdown";
import { makePdf } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";
import { ROOT, runAsync, tempDir } from "./helpers/spawn";
import { signedDelivery } from "./helpers/webhook-cases";

/**
 * sdk/python installed with pip, offline, into a fresh virtual environment of the system
 * python3, then every example of its README run with that environment against a real server.
 */
const SDK = join(ROOT, "sdk/python");
const readme = readFileSync(join(SDK, "README.md"), "utf8");
let s: TestServer;
let app: string;
let python: string;
let key: string;

beforeAll(async () => {
  s = await startTestServer();
  key = await s.key("test", "python readme");
  const dir = tempDir("certyneo-sdk-venv-");
  // A copy, so pip's in-tree build leaves nothing in the repository.
  cpSync(SDK, join(dir, "src"), { recursive: true, filter: (p) => !p.includes("__pycache__") });
  const venv = await runAsync(["python3", "-m", "venv", join(dir, "venv")]);
  expect(venv.code, venv.stderr).toBe(0);
  python = join(dir, "venv/bin/python");
  // setuptools comes from the virtual environment: no network, no build isolation.
  const pip = await runAsync([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--disable-pip-version-check", join(dir, "src")]);
  expect(pip.code, pip.stderr + pip.stdout).toBe(0);
  app = tempDir("certyneo-sdk-py-app-");
  writeFileSync(join(app, "contract.pdf"), await makePdf(1));
}, 180_000);
afterAll(() => s.stop());

const run = (file: string, extra: Record<string, string> = {}) =>
  runAsync([python, file], { cwd: app, env: { CERTYNEO_API_KEY: key, PYTHONDONTWRITEBYTECODE: "1", ...extra } });
const pdfHeader = (file: string) => readFileSync(join(app, file)).subarray(0, 5).toString();

const QUICK_START = 'client.envelopes.send(envelope["id"])["recipients"][0]["signUrl"]';
type Check = (file: string) => Promise<void>;
const CHECKS: Record<string, Check> = {
  [QUICK_START]: async (file) => {
    const r = await run(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toStartWith(`${s.url}/s/`);
  },
  wait_for_completion: async (file) => {
    const r = await run(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("COMPLETED SEALED");
    expect(pdfHeader("signed.pdf")).toBe("%PDF-");
    expect(pdfHeader("audit-trail.pdf")).toBe("%PDF-");
  },
  "for envelope in": async (file) => {
    const r = await run(file);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^env_\w+ .+ (SENT|VIEWED|SIGNED|PENDING)/);
  },
  "except CertyneoError": async (file) => {
    const r = await run(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^422 validation_failed req_[\w-]+\n/);
    expect(r.stdout).toContain("  /subject: ");
  },
  "idempotency_key=": async (file) => {
    const r = await run(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("True");
  },
  "verify_webhook(": async (file) => {
    const envelope = (await (await s.api("/api/v1/envelopes?limit=1")).json()).data[0];
    const { secret, body, headers } = signedDelivery(envelope, (n) => n.replace(/(^|-)\w/g, (c) => c.toUpperCase()));
    const driver = join(app, "drive_webhook.py");
    writeFileSync(driver, [
      "import importlib.util, json, os",
      `spec = importlib.util.spec_from_file_location("example", ${JSON.stringify(file)})`,
      "example = importlib.util.module_from_spec(spec)",
      "spec.loader.exec_module(example)",
      'delivery = json.loads(os.environ["DELIVERY"])',
      'body = delivery["body"].encode("utf-8")',
      'print(example.handle_certyneo_webhook(delivery["headers"], body), example.handle_certyneo_webhook(delivery["headers"], body.replace(b"evt_readme", b"evt_forged")))',
    ].join("\n"));
    const r = await run(driver, { CERTYNEO_WEBHOOK_SECRET: secret, DELIVERY: JSON.stringify({ body, headers }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([`completed ${envelope.id}`, "204 400"]);
  },
};

describe("certyneo (Python) installed with pip into a virtual environment", () => {
  const examples = checksFor(codeBlocks(readme, "python"), CHECKS);

  test("the README has a five-line quick start and an example for each check", () => {
    expect(examples.length).toBe(Object.keys(CHECKS).length);
    const quickStart = examples.find(([, check]) => check === CHECKS[QUICK_START])![0];
    expect(quickStart.trim().split("\n").length).toBe(5);
    expect(codeBlocks(readme, "sh")).toContain("pip install ./sdk/python\n");
  });

  test("the package comes from the virtual environment, with its generated types and py.typed", async () => {
    const r = await runAsync([python, "-c", "import certyneo, os; print(certyneo.__file__); print(sorted(os.listdir(os.path.dirname(certyneo.__file__))))"], { cwd: app });
    expect(r.code, r.stderr).toBe(0);
    const [file, listing] = r.stdout.trim().split("\n");
    expect(file).toContain("/venv/lib/");
    expect(listing).toContain("'py.typed'");
    expect(listing).toContain("'types.py'");
  });

  test("every README example runs from the installed package", async () => {
    for (const [i, [block, check]] of examples.entries()) {
      const file = join(app, `example_${i + 1}.py`);
      writeFileSync(file, block.replaceAll("http://localhost:3000", s.url));
      await check(file);
    }
  }, 120_000);

  test("the sources parse as Python 3.9", async () => {
    const files = readdirSync(SDK, { recursive: true }).map(String).filter((f) => f.endsWith(".py")).map((f) => join(SDK, f));
    expect(files.length).toBeGreaterThan(5);
    const r = await runAsync(["python3", "-c", "import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f).read(), f, feature_version=(3, 9))", ...files]);
    expect(r.code, r.stderr).toBe(0);
  });
});
