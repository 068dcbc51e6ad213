/**
 * Two nodes recording the same thing at once on PostgreSQL, where the transaction runs read
 * committed and its row lock is what keeps the second from acting on a stale read
 * (docs/decisions.md, "PostgreSQL transactions in read committed"): the seal's recording and
 * the webhook dispatcher's failed attempts. The other races are in postgres-concurrency.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordEvent } from "../src/modules/webhooks/events";
import { envelopeRow } from "../src/modules/envelopes/rows";
import { recordSeal, sealFiles } from "../src/modules/sealing/service";
import { transaction } from "../src/store/transaction";
import { complete, getEnvelope, quickStart, sentEnvelope, typed, uploadDoc } from "./helpers/envelopes";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

describe.skipIf(!havePostgres)("two nodes recording at once on PostgreSQL", () => {
  let a: TestServer;
  let b: TestServer;
  let db: SQL;
  let rx: WebhookReceiver;
  let dirB: string | undefined;
  const count = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;
  beforeAll(async () => {
    const url = await (await testPostgres()).freshDatabase();
    db = new SQL(url, { max: 1 });
    rx = startWebhookReceiver();
    // Any failure disables its endpoint (a failing run of 0 hours): the first failures race to disable it.
    const env = {
      CERTYNEO_DATABASE_URL: url, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false",
      CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8", CERTYNEO_WEBHOOKS_DISABLE_AFTER_HOURS: "0",
    };
    a = await startTestServer({ env });
    // One instance key, as every node of a deployment has: b opens the webhook secrets a stored.
    dirB = mkdtempSync(join(tmpdir(), "certyneo-test-"));
    copyFileSync(join(a.dir, "instance.key"), join(dirB, "instance.key"));
    b = await startTestServer({ env, dir: dirB });
    // The seal job would record the seal itself: this file calls the recording.
    await Promise.all([a.running.app.jobs.stop(), b.running.app.jobs.stop()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), db?.close(), rx?.stop()]);
    if (dirB) rmSync(dirB, { recursive: true, force: true });
  });

  // Through the seal job (sealEnvelope) the two recordings never meet: the advisory lock
  // (withNodeLock) lets one node seal at a time and is released after its recording commits,
  // so the other is turned away or finds the envelope sealed. The row lock is for a seal that
  // lock did not keep out (its connection lost mid-seal): here both nodes record the same seal.
  test("a seal recorded on two nodes at once: sealed once, one notification, the chain intact", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    for (let round = 0; round < 4; round++) {
      const { e, tokens } = await sentEnvelope(a, quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }]), key);
      expect((await complete(a, tokens[0]!, typed("Ana Silva"))).status).toBe(200);
      const sealed = await sealFiles(a.deps, (await envelopeRow(a.deps.db, e.id))!);
      await Promise.all([recordSeal(a.deps, e.id, sealed), recordSeal(b.deps, e.id, sealed)]);
      expect(await count(db`SELECT count(*)::int AS n FROM audit_events WHERE envelope_id = ${e.id} AND type = 'envelope.sealed'`)).toBe(1);
      expect(await count(db`SELECT count(*)::int AS n FROM jobs WHERE kind = 'notify_completed' AND payload::json->>'envelopeId' = ${e.id}`)).toBe(1);
      const done = await getEnvelope(b, e.id, key);
      expect(done.audit.valid).toBe(true);
      expect((await db`SELECT seal_status AS s, sealed_sha256 AS sha FROM envelopes WHERE id = ${e.id}`)[0]).toEqual({ s: "SEALED", sha: sealed.whole });
    }
  });

  test("an endpoint's deliveries failing on two nodes at once: both attempts recorded, the endpoint disabled once", async () => {
    expect(a.deps.config.webhooks.disableAfterHours).toBe(0);
    const key = await a.key();
    const emit = (round: number, n: number) => transaction(a.deps.db, (tx) =>
      recordEvent(tx, a.deps.clock, { environment: "test", envelopeId: `env_race${round}`, type: "envelope.sent", data: { envelope: { id: `env_race${round}_${n}` } } }));
    const disabledLogs = (webhookId: string) => [...a.logs, ...b.logs].filter((l) => l.msg === "webhook disabled" && l.webhookId === webhookId);
    for (let round = 0; round < 6; round++) {
      const path = `/race-${round}`;
      const res = await a.api("/api/v1/webhooks", { method: "POST", key, json: { url: rx.url(path), events: ["envelope.sent"] } });
      expect(res.status).toBe(201);
      const hook = await res.json();
      rx.expect(path, hook.secret);
      // The receiver answers 500 to both once both requests are in: the two failures come back together.
      const both = Promise.withResolvers<void>();
      let arrived = 0;
      rx.respond(path, async () => {
        if (++arrived === 2) both.resolve();
        await both.promise;
        return 500;
      });
      // One delivery leased by each node (a node sends one at a time per endpoint and leases what is due).
      await emit(round, 1);
      expect(await a.running.app.webhooks.pump()).toBe(1);
      await emit(round, 2);
      expect(await b.running.app.webhooks.pump()).toBe(1);
      const [ra, rb] = await Promise.all([a.running.app.webhooks.drain(), b.running.app.webhooks.drain()]);
      expect(ra.failed + rb.failed).toBe(2);
      expect(await count(db`SELECT count(*)::int AS n FROM webhook_attempts t JOIN webhook_deliveries d ON d.id = t.delivery_id WHERE d.webhook_id = ${hook.id}`)).toBe(2);
      expect(await db`SELECT status FROM webhook_deliveries WHERE webhook_id = ${hook.id}`).toEqual([{ status: "failed" }, { status: "failed" }]);
      const after = await (await a.api(`/api/v1/webhooks/${hook.id}`, { key })).json();
      expect(after.enabled).toBe(false);
      // Of two nodes the second waits for the first's row lock, then finds the endpoint disabled.
      expect(disabledLogs(hook.id)).toHaveLength(1);
    }
    expect([...a.logs, ...b.logs].filter((l) => l.msg === "webhook delivery bookkeeping failed")).toEqual([]);
  });
});
