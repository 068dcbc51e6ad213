/**
 * Two nodes of the real server (separate processes) on one PostgreSQL and one S3 bucket: the
 * quick start alternating between them, then a load of uploads, creations, sends and signings
 * on both while one node is SIGKILLed. Every acknowledged write is there, every envelope
 * completes and is sealed once, every invitation e-mail and webhook event arrives, and nothing
 * arrives twice except what was already on its way before the kill.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { join } from "node:path";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startS3Server, type S3TestServer } from "./helpers/s3";
import { startSmtpSink, type SmtpSink } from "./helpers/smtp";
import { BUN, freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

const CLIENTS = 4;
let s3: S3TestServer;
let smtp: SmtpSink;
let receiver: WebhookReceiver;
let databaseUrl: string;
let env: Record<string, string>;
let key: string;

interface Node {
  name: string;
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
}

const nodes: Node[] = [];

async function startNode(name: string): Promise<Node> {
  const port = await freePort();
  const dir = tempDir(`certyneo-node-${name}-`);
  const proc = Bun.spawn([BUN, "src/main.ts", "serve"], {
    cwd: ROOT,
    env: { ...process.env, ...env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(port) },
    stdout: Bun.file(join(dir, "server.log")),
    stderr: Bun.file(join(dir, "server.err")),
  });
  const node = { name, url: `http://127.0.0.1:${port}`, proc };
  await waitForHealth(node.url, 30_000);
  nodes.push(node);
  return node;
}

const api = (node: Node, path: string, init: { method?: string; json?: unknown } = {}) =>
  fetch(node.url + path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${key}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });

beforeAll(async () => {
  if (!havePostgres) return;
  [s3, smtp] = await Promise.all([startS3Server(), startSmtpSink()]);
  receiver = startWebhookReceiver();
  databaseUrl = await (await testPostgres()).freshDatabase();
  env = {
    ...s3.env("two-nodes"),
    ...smtp.env,
    CERTYNEO_DATABASE_URL: databaseUrl,
    CERTYNEO_RATE_LIMIT_ENABLED: "false",
    CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8",
    CERTYNEO_JOBS_POLL_MS: "200",
    // A killed node's leased work is taken over once its lease ends: short here, renewed while it runs.
    CERTYNEO_JOBS_LEASE_SECONDS: "3",
    CERTYNEO_WEBHOOKS_TIMEOUT_MS: "2000",
    CERTYNEO_LOG_LEVEL: "warn",
  };
  const created = run([BUN, "src/main.ts", "keys", "create", "--env", "test", "--name", "two nodes", "--json"], { env: { ...env, CERTYNEO_DATA_DIR: tempDir() } });
  expect(created.code, created.stderr).toBe(0);
  key = JSON.parse(created.stdout).key;
});

afterAll(async () => {
  for (const n of nodes) n.proc.kill("SIGKILL");
  await Promise.all(nodes.map((n) => n.proc.exited));
  await Promise.all([s3?.stop(), smtp?.close(), receiver?.stop()]);
});

test.skipIf(!havePostgres)("two nodes on PostgreSQL and S3: the quick start across nodes, then one node SIGKILLed under load", async () => {
  const [a, b] = [await startNode("a"), await startNode("b")];
  const hook = await (await api(a, "/api/v1/webhooks", { method: "POST", json: { url: receiver.url("/hook"), events: ["*"] } })).json();
  receiver.expect("/hook", hook.secret);
  const pdf = await makePdf(2, "two nodes");

  // The quick start, each step on the other node.
  const doc = await (await api(a, "/api/v1/documents", { method: "POST", json: { name: "q.pdf", contentBase64: Buffer.from(pdf).toString("base64") } })).json();
  expect((await api(b, `/api/v1/documents/${doc.id}`)).status).toBe(200);
  const created = await api(b, "/api/v1/envelopes", { method: "POST", json: { subject: "Quick start", documentIds: [doc.id], recipients: [{ email: "q@example.com", name: "Quick Start" }] } });
  expect(created.status).toBe(201);
  const envelope = await created.json();
  const sent = await api(a, `/api/v1/envelopes/${envelope.id}/send`, { method: "POST" });
  expect(sent.status).toBe(200);
  expect((await (await api(b, `/api/v1/envelopes/${envelope.id}`)).json()).status).toBe("SENT");

  // The load: clients on both nodes; node b is killed while they run.
  const acked = { envelopes: new Set<string>([envelope.id]), sent: new Set<string>([envelope.id]), signed: new Set<string>(), tokens: new Map<string, string>() };
  acked.tokens.set(envelope.id, new URL((await sent.json()).recipients[0].signUrl).pathname.split("/").pop()!);
  const stop = { now: false };
  async function client(node: Node, id: number) {
    for (let n = 0; !stop.now; n++) {
      try {
        const up = await api(node, "/api/v1/documents", { method: "POST", json: { name: `c${id}-${n}.pdf`, contentBase64: Buffer.from(pdf).toString("base64") } });
        if (up.status !== 201) continue;
        const d = await up.json();
        const cr = await api(node, "/api/v1/envelopes", { method: "POST", json: { subject: `Load ${id}.${n}`, documentIds: [d.id], recipients: [{ email: `c${id}.${n}@example.com`, name: "Load Test" }] } });
        if (cr.status !== 201) continue;
        const e = await cr.json();
        acked.envelopes.add(e.id);
        const s = await api(node, `/api/v1/envelopes/${e.id}/send`, { method: "POST" });
        if (s.status !== 200) continue;
        acked.sent.add(e.id);
        const token = new URL((await s.json()).recipients[0].signUrl).pathname.split("/").pop()!;
        acked.tokens.set(e.id, token);
        const signed = await fetch(`${node.url}/api/v1/signing/${token}/complete`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: { type: "typed", value: "Load Test" }, consent: true }),
        });
        if (signed.status === 200) acked.signed.add(e.id);
      } catch {
        return; // its node died mid-request: that write was never acknowledged
      }
    }
  }
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i % 2 ? b : a, i));
  await Bun.sleep(4000);
  b.proc.kill("SIGKILL");
  await b.proc.exited;
  const killedAt = Date.now();
  await Bun.sleep(1500);
  stop.now = true;
  await Promise.all(clients);

  // Every acknowledged write is on the surviving node.
  for (const id of acked.envelopes) {
    const res = await api(a, `/api/v1/envelopes/${id}`);
    expect(res.status).toBe(200);
    const e = await res.json();
    if (acked.sent.has(id)) expect(e.status).not.toBe("DRAFT");
    if (acked.signed.has(id)) expect(e.status).toBe("COMPLETED");
  }
  // Every invitation of an envelope still waiting for its signer (still SENT) arrived; one
  // signed at once may be finished before its invitation goes, which is then not sent. Waiting
  // is read from the database, not from the answers: a signature that the killed node committed
  // before its answer reached the client completed the envelope all the same. One sent twice
  // only if the first had arrived before the kill.
  const sql = new SQL(databaseUrl, { max: 1 });
  const stillSent = new Set((await sql`SELECT id FROM envelopes WHERE status = 'SENT'`).map((row: { id: string }) => row.id));
  const waiting = [...acked.sent].filter((id) => stillSent.has(id));
  const recipients = new Map<string, string>();
  for (const row of await sql`SELECT envelope_id, email FROM recipients`) recipients.set(row.envelope_id, row.email);
  const invitationsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email) && !/^Completed/.test(m.subject));
  const invitedBy = Date.now() + 30_000;
  while (waiting.some((id) => invitationsTo(recipients.get(id)!).length === 0) && Date.now() < invitedBy) await Bun.sleep(200);
  for (const id of waiting) expect(invitationsTo(recipients.get(id)!).length, `invitation for ${id}`).toBeGreaterThanOrEqual(1);
  for (const id of acked.sent) {
    const invitations = invitationsTo(recipients.get(id)!);
    if (invitations.length > 1) expect(invitations[0]!.receivedAt).toBeLessThan(killedAt);
  }

  // Those envelopes (the quick start's, those cut by the kill) are signed on the survivor.
  for (const id of waiting) {
    if (acked.signed.has(id)) continue;
    const res = await fetch(`${a.url}/api/v1/signing/${acked.tokens.get(id)}/complete`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: { type: "typed", value: "Load Test" }, consent: true }),
    });
    expect([200, 409]).toContain(res.status);
    acked.signed.add(id);
  }
  expect(acked.signed.size).toBeGreaterThan(4);

  // Every completed envelope is sealed (b's leased work taken over once its lease ended), once.
  const pending = new Set(acked.signed);
  const deadline = Date.now() + 90_000;
  while (pending.size && Date.now() < deadline) {
    for (const id of pending) if ((await (await api(a, `/api/v1/envelopes/${id}`)).json()).sealStatus === "SEALED") pending.delete(id);
    if (pending.size) await Bun.sleep(250);
  }
  expect([...pending]).toEqual([]);
  try {
    const twice = await sql`SELECT envelope_id, count(*)::int AS n FROM audit_events WHERE type = 'envelope.sealed' GROUP BY envelope_id HAVING count(*) > 1`;
    expect([...twice]).toEqual([]);
    const [{ n: sealedEvents }] = await sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'envelope.sealed'`;
    expect(sealedEvents).toBe(acked.signed.size);

    // Every webhook event was delivered; an event delivered twice had reached the receiver before the kill.
    const [{ n: events }] = await sql`SELECT count(*)::int AS n FROM webhook_events`;
    const byId = new Map<string, number>();
    const deliveredBy = Date.now() + 60_000;
    do {
      byId.clear();
      for (const d of receiver.accepted("/hook")) byId.set(d.id, (byId.get(d.id) ?? 0) + 1);
      if (byId.size < events) await Bun.sleep(200);
    } while (byId.size < events && Date.now() < deliveredBy);
    expect(byId.size).toBe(events);
    const duplicates = [...byId].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of duplicates) expect(receiver.received.find((d) => d.id === id)!.at).toBeLessThan(killedAt);
    console.log(JSON.stringify({ twoNodes: { envelopes: acked.envelopes.size, completed: acked.signed.size, webhookEvents: events, duplicateDeliveries: duplicates.length, emails: smtp.messages.length } }));
  } finally {
    await sql.close();
  }
}, 240_000);
