/**
 * Writes test/fixtures/upgrade-0.1.0/: a data directory made by an earlier Certyneo through its
 * own API, for test/upgrade.test.ts. Run from the repository with the earlier version checked out
 * beside it (docs/testing.md, "Upgrades"):
 *
 *   bun scripts/upgrade-fixture.ts /tmp/certyneo-0.1.0 test/fixtures/upgrade-0.1.0
 *
 * The earlier version's server is started on a loopback port over a fresh data directory; every
 * envelope state, a webhook endpoint with deliveries still owed and a finished seal are made, the
 * server is stopped, and the directory is copied with what the test must find in it
 * (manifest.json: the key, the signing tokens still open, each envelope as that version answered).
 */
import { Database } from "bun:sqlite";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [oldTree, outDir] = process.argv.slice(2).map((p) => resolve(p));
if (!oldTree || !outDir) throw new Error("usage: bun scripts/upgrade-fixture.ts OLD_TREE OUT_DIR");

const data = mkdtempSync(join(tmpdir(), "certyneo-upgrade-"));
const port = 39_000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
// A webhook endpoint on a port nothing listens on: its deliveries stay owed.
const deadHook = `http://127.0.0.1:${port + 1}/hook`;
const env = {
  ...process.env,
  CERTYNEO_DATA_DIR: data,
  CERTYNEO_PORT: String(port),
  CERTYNEO_HOST: "127.0.0.1",
  CERTYNEO_BASE_URL: base,
  CERTYNEO_JOBS_POLL_MS: "50",
  CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8",
  CERTYNEO_LOG_LEVEL: "warn",
};
const cli = (args: string[]) => {
  const r = Bun.spawnSync([process.execPath, "src/main.ts", ...args], { cwd: oldTree, env });
  if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
};

const { key } = JSON.parse(cli(["keys", "create", "--env", "test", "--name", "upgrade fixture", "--json"]).trim().split("\n").pop()!);
const version = JSON.parse(readFileSync(join(oldTree, "package.json"), "utf8")).version as string;
const commit = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: oldTree }).stdout.toString().trim();
const server = Bun.spawn([process.execPath, "src/main.ts", "serve"], { cwd: oldTree, env, stdout: "inherit", stderr: "inherit" });

async function call(path: string, init: { method?: string; json?: unknown; auth?: boolean } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: { ...(init.auth === false ? {} : { authorization: `Bearer ${key}` }), ...(init.json === undefined ? {} : { "content-type": "application/json" }), "user-agent": "UpgradeFixture/1.0" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const body = (res.headers.get("content-type") ?? "").includes("json") ? await res.json() : new Uint8Array(await res.arrayBuffer());
  if (res.status >= 400) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as any;
}
const signing = (token: string, path = "", json?: unknown) => call(`/api/v1/signing/${token}${path}`, { json, auth: false });
const tokenOf = (signUrl: string) => new URL(signUrl).pathname.split("/").pop()!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TINY_PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

try {
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) break;
    if (i > 200) throw new Error("the earlier server did not start");
    await sleep(50);
  }
  const pdf = readFileSync(join(import.meta.dir, "../docs/sample-contract.pdf"));
  const doc = await call("/api/v1/documents", { json: { name: "contract.pdf", contentBase64: pdf.toString("base64") } });
  const webhook = await call("/api/v1/webhooks", { json: { url: deadHook, description: "down since before the upgrade" } });

  const ana = { email: "ana@example.com", name: "Ana Silva", role: "SIGNER" };
  const bo = { email: "bo@example.com", name: "Bo Li", role: "SIGNER" };
  const cc = { email: "cc@example.com", name: "Carla Cc", role: "CC" };
  const fields = [
    { documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 180, height: 40 },
    { documentId: doc.id, type: "text", page: 1, x: 72, y: 660, width: 180, height: 20, label: "Job title", required: true },
    { documentId: doc.id, type: "date", page: 1, x: 300, y: 660, width: 120, height: 20 },
    { documentId: doc.id, type: "checkbox", page: 1, x: 300, y: 600, width: 16, height: 16, required: false },
  ];
  const create = (subject: string, recipients: unknown[], extra: Record<string, unknown> = {}) =>
    call("/api/v1/envelopes", { json: { subject, documentIds: [doc.id], recipients, metadata: { case: subject }, ...extra } });
  const send = async (id: string) => (await call(`/api/v1/envelopes/${id}/send`, { method: "POST" })).recipients.map((r: any) => tokenOf(r.signUrl)) as string[];
  const fieldIds = async (token: string) => (await signing(token)).fields.map((f: any) => ({ id: f.id, type: f.type }));

  // Completed and sealed: sequential, a typed signer with fields, then a drawn one.
  const completed = await create("Completed before the upgrade", [{ ...ana, fields }, bo, cc], { signingOrder: "sequential" });
  const [anaToken, boToken] = await send(completed.id);
  const values: Record<string, unknown> = {};
  for (const f of await fieldIds(anaToken!)) if (f.type === "text") values[f.id] = "Engineer";
  await signing(anaToken!, "/complete", { signature: { type: "typed", value: "Ana Silva" }, fields: values, consent: true });
  await signing(boToken!, "/complete", { signature: { type: "drawn", value: TINY_PNG }, consent: true });

  // Half signed: parallel; Ana has signed, Bo's link is still open.
  const halfSigned = await create("Half signed before the upgrade", [ana, bo, cc]);
  const [halfAna, halfBo] = await send(halfSigned.id);
  await signing(halfAna!, "/complete", { signature: { type: "typed", value: "Ana Silva" }, consent: true });

  // Sent and opened, with fields, an expiry far off and reminders.
  const viewed = await create("Opened before the upgrade", [{ ...ana, fields }], { expiresAt: "2099-01-01T00:00:00.000Z", reminderIntervalHours: 72 });
  const [viewedToken] = await send(viewed.id);
  await signing(viewedToken!);

  const draft = await create("Draft before the upgrade", [{ ...ana, fields }, bo], { message: "Please sign", signingOrder: "sequential" });
  const declined = await create("Declined before the upgrade", [ana, bo]);
  const [declinedAna] = await send(declined.id);
  await signing(declinedAna!, "/decline", { reason: "Wrong salary" });
  const voided = await create("Voided before the upgrade", [ana]);
  const [voidedToken] = await send(voided.id);
  await call(`/api/v1/envelopes/${voided.id}?reason=${encodeURIComponent("Sent by mistake")}`, { method: "DELETE" });

  let sealed: Uint8Array | undefined;
  for (let i = 0; i < 400 && !sealed; i++) {
    await sleep(50);
    const res = await fetch(`${base}/api/v1/envelopes/${completed.id}/signed-document`, { headers: { authorization: `Bearer ${key}` } });
    if (res.ok) sealed = new Uint8Array(await res.arrayBuffer());
  }
  if (!sealed) throw new Error("the earlier server did not seal the completed envelope");
  await sleep(500); // the completion e-mails and the webhook's first attempts
  const madeAt = new Date().toISOString(); // before any delivery's second attempt is due
  const openapi = await call("/openapi.json", { auth: false });
  const operations = Object.entries<Record<string, unknown>>(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)).sort();
  const envelopes: Record<string, unknown> = {};
  for (const e of [completed, halfSigned, viewed, draft, declined, voided]) envelopes[e.id] = await call(`/api/v1/envelopes/${e.id}`);

  server.kill("SIGTERM");
  await server.exited;
  const db = new Database(join(data, "certyneo.db"));
  const migrations = (db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.run("VACUUM");
  db.close();

  rmSync(outDir, { recursive: true, force: true });
  cpSync(data, join(outDir, "data"), { recursive: true, filter: (src) => !src.includes("/outbox") && !src.endsWith("-wal") && !src.endsWith("-shm") });
  const manifest = {
    version,
    commit,
    migrations,
    key,
    documentId: doc.id,
    madeAt,
    webhook: { id: webhook.id, secret: webhook.secret },
    ids: { completed: completed.id, halfSigned: halfSigned.id, viewed: viewed.id, draft: draft.id, declined: declined.id, voided: voided.id },
    openTokens: { halfSignedBo: halfBo, viewedAna: viewedToken },
    closedTokens: { completedAna: anaToken, declinedAna, voided: voidedToken },
    operations,
    sealedSha256: new Bun.CryptoHasher("sha256").update(sealed).digest("hex"),
    envelopes,
  };
  writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(`wrote ${outDir} from ${version} (${commit})`);
} finally {
  server.kill("SIGKILL");
  rmSync(data, { recursive: true, force: true });
}
