/**
 * The signing ceremony, sealing, notifications, the job runner and webhook deliveries on
 * PostgreSQL: their statements are written once for both dialects (the job and delivery claims'
 * compare-and-set, the dispatcher's prepared statements inside its transaction, the reminder
 * sweep's arithmetic on epoch milliseconds, the seal retry's JSON lookup). Only the HTTP API and
 * the domain's own functions are used: the other suites read the SQLite file directly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, ne } from "drizzle-orm";
import { readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { enqueue } from "../src/jobs/queue";
import { retryFailedJob } from "../src/jobs/retry";
import { maxRetryDelayMs, RETRY_DELAYS_MS } from "../src/jobs/schedule";
import { listAudit } from "../src/modules/audit/service";
import { firstRow } from "../src/store/portable-sql";
import { transaction } from "../src/store/transaction";
import { jobs, recipients } from "../src/store/schema";
import type { FakeClock } from "./helpers/clock";
import { complete, quickStart, sentEnvelope, signing, typed, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { parseMail } from "./helpers/smtp";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

describe.skipIf(!havePostgres)("signing, sealing, notices and webhooks on PostgreSQL", () => {
  let s: TestServer;
  let clock: FakeClock;
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = startWebhookReceiver();
    s = await startTestServer({
      postgres: true,
      env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8" },
    });
    clock = s.clock as FakeClock;
  });
  afterAll(async () => {
    await s?.stop();
    await rx?.stop();
  });

  const json = async (path: string, init?: Parameters<TestServer["api"]>[1]) => (await (await s.api(path, init)).json()) as any;
  const outbox = () => readdirSync(join(s.dir, "outbox")).map((f) => parseMail(readFileSync(join(s.dir, "outbox", f), "utf8")));

  test("a recipient authenticates, views and signs; the seal job seals; the notices go; every event reaches the endpoint, a failed attempt retried", async () => {
    const hook = await json("/api/v1/webhooks", { method: "POST", json: { url: rx.url("/all") } });
    rx.expect("/all", hook.secret);
    rx.respond("/all", (_d, n) => (n === 1 ? 500 : 204));
    const doc = await uploadDoc(s);
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "ana@example.com", name: "Ana", authentication: { method: "access_code", accessCode: "RED-1" } }]));
    const token = tokens[0]!;
    await s.running.app.jobs.drain();
    expect((await signing(s, token)).body.code).toBe("signing_auth_required");
    expect((await signing(s, token, "/auth", { json: { code: "RED-2" } })).body.code).toBe("auth_code_invalid");
    const ok = await signing(s, token, "/auth", { json: { code: "RED-1" } });
    expect(ok.status).toBe(200);
    expect(ok.body.recipient.status).toBe("VIEWED");
    const cookie = { headers: { cookie: ok.res.headers.get("set-cookie")!.split(";")[0]! } };
    const signed = await signing(s, token, "/complete", { json: typed("Ana"), ...cookie });
    expect(signed.status).toBe(200);
    expect(signed.body.state).toBe("completed");
    // Before the seal job: the link answers seal_pending (its JSON lookup of a failed seal job finds none).
    expect((await signing(s, token, "/signed-document", cookie)).body.code).toBe("seal_pending");
    await s.running.app.jobs.drain();
    expect((await json(`/api/v1/envelopes/${e.id}`)).sealStatus).toBe("SEALED");
    const pdf = await signing(s, token, "/signed-document", cookie);
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode(pdf.body.slice(0, 5))).toBe("%PDF-");
    expect(outbox().map((m) => m.subject).sort()).toEqual(["Completed: Employment contract", "Please sign: Employment contract"]);
    const types = (await listAudit(s.deps.db, e.id)).map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining([
      "recipient.auth_failed", "recipient.authenticated", "recipient.viewed", "recipient.signed", "envelope.completed", "envelope.sealed", "message.delivered", "document.downloaded",
    ]));

    const first = await s.running.app.webhooks.drain();
    expect(first).toMatchObject({ failed: 0 });
    expect(first.attempts).toBeGreaterThanOrEqual(1);
    clock.advance(RETRY_DELAYS_MS[0] * 1.25);
    await s.running.app.webhooks.drain();
    const accepted = rx.accepted("/all").map((d) => d.payload!.type);
    expect(accepted).toEqual(expect.arrayContaining(["envelope.created", "envelope.sent", "recipient.viewed", "recipient.signed", "envelope.completed"]));
    expect(new Set(rx.accepted("/all").map((d) => d.id)).size).toBe(accepted.length);
    const deliveries = (await json(`/api/v1/webhooks/${hook.id}/deliveries?limit=100`)).data as any[];
    expect(deliveries.every((d) => d.status === "succeeded")).toBe(true);
    const retried = deliveries.filter((d) => d.attemptCount === 2);
    expect(retried).toHaveLength(1);
    expect(retried[0].attempts.map((a: any) => a.statusCode)).toEqual([204, 500]);
    expect((await json(`/api/v1/webhooks/${hook.id}`)).failingSince).toBeNull();

    const resent = await json(`/api/v1/webhooks/${hook.id}/deliveries/${retried[0].id}/resend`, { method: "POST" });
    expect(resent).toMatchObject({ status: "pending", eventId: retried[0].eventId });
    await s.running.app.webhooks.drain();
    expect(rx.accepted("/all").filter((d) => d.id === retried[0].eventId)).toHaveLength(2);
    expect((await json(`/api/v1/webhooks/${hook.id}`, { method: "PATCH", json: { enabled: false } })).enabled).toBe(false);
    expect((await json(`/api/v1/webhooks/${hook.id}`, { method: "DELETE" })).deletedAt).toBeString();
    expect((await s.api(`/api/v1/webhooks/${hook.id}`)).status).toBe(404);
  });

  test("a seal that failed once waits for its retry: a download answers 409 with the retry's wait, and the retry seals", async () => {
    const doc = await uploadDoc(s);
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id]));
    await s.running.app.jobs.drain();
    const path = s.deps.files.path(doc.sha256);
    renameSync(path, `${path}.away`);
    expect((await complete(s, tokens[0]!, typed())).status).toBe(200);
    await s.running.app.jobs.drain();
    expect((await listAudit(s.deps.db, e.id)).map((a) => a.type)).toContain("envelope.seal_delayed");
    const res = await s.api(`/api/v1/envelopes/${e.id}/signed-document`);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("seal_pending");
    const wait = Number(res.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] / 1000);
    expect(wait).toBeLessThanOrEqual(Math.ceil(maxRetryDelayMs(1) / 1000));
    expect(s.logs.filter((l) => l.msg === "sealing on download failed")).toEqual([]);
    renameSync(`${path}.away`, path);
    clock.advance(wait * 1000);
    await s.running.app.jobs.drain();
    expect((await s.api(`/api/v1/envelopes/${e.id}/signed-document`)).status).toBe(200);
  });

  test("a reminder on the longest interval (720 h) is due once it has run out, and goes", async () => {
    const doc = await uploadDoc(s);
    const { e } = await sentEnvelope(s, quickStart([doc.id], [{ email: "late@example.com", name: "Late" }], { reminderIntervalHours: 720 }));
    await s.running.app.jobs.drain();
    clock.advance(719 * 3_600_000);
    await s.running.app.jobs.drain();
    expect((await listAudit(s.deps.db, e.id)).map((a) => a.type)).not.toContain("recipient.reminded");
    clock.advance(3_600_000);
    await s.running.app.jobs.drain();
    expect((await listAudit(s.deps.db, e.id)).filter((a) => a.type === "recipient.reminded")).toHaveLength(1);
    const row = await firstRow(s.deps.db.select().from(recipients).where(eq(recipients.id, e.recipients[0].id)));
    expect(row!.lastRemindedAt).toEqual(clock.now());
    expect(outbox().filter((m) => m.subject === "Reminder: please sign: Employment contract" && m.headers.to === "late@example.com")).toHaveLength(1);
    expect(s.logs.filter((l) => l.msg === "periodic job failed")).toEqual([]);
  });

  test("a declined envelope tells the others; a job failed for good runs again when an admin retries it", async () => {
    const doc = await uploadDoc(s);
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "d1@example.com", name: "D1" }, { email: "d2@example.com", name: "D2" }]));
    await signing(s, tokens[1]!);
    expect((await signing(s, tokens[0]!, "/decline", { json: { reason: "Wrong date" } })).body.state).toBe("declined");
    expect((await complete(s, tokens[1]!, typed("D2"))).body.code).toBe("signing_closed");
    await s.running.app.jobs.drain();
    // The jobs not done and what the server complained of, in the failure's message: this check failed once in CI, never since (session 28).
    const unfinished = JSON.stringify((await s.deps.db.select().from(jobs).where(ne(jobs.status, "done"))).map((j) => ({ kind: j.kind, status: j.status, attempts: j.attempts, runAt: j.runAt, lastError: j.lastError })));
    const complaints = JSON.stringify(s.logs.filter((l) => l.level === "warn" || l.level === "error"));
    expect(outbox().filter((m) => m.subject === "Declined: Employment contract").map((m) => m.headers.to), `jobs not done: ${unfinished}; warnings and errors logged: ${complaints}`).toEqual(["d2@example.com"]);
    expect((await listAudit(s.deps.db, e.id)).map((a) => a.type)).toContain("recipient.declined");

    const id = await transaction(s.deps.db, (tx) => enqueue(tx, s.deps.clock, { kind: "nobody_handles_this", payload: {} }));
    await s.running.app.jobs.drain();
    expect(await firstRow(s.deps.db.select().from(jobs).where(eq(jobs.id, id)))).toMatchObject({ status: "failed", attempts: 1 });
    expect(await retryFailedJob(s.deps, id)).toMatchObject({ status: "pending", attempts: 0 });
    await s.running.app.jobs.drain();
    expect(await firstRow(s.deps.db.select().from(jobs).where(eq(jobs.id, id)))).toMatchObject({ status: "failed", attempts: 1 });
  });
});
