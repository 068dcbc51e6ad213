/**
 * The console's failures at scale: the dashboard counts every failed seal, the failures page lists
 * the latest 200 and says how many there are, and both find them on the partial index of failed
 * seals (migration 0019) instead of reading every envelope. "Retry all" puts every failed
 * delivery or seal of the environment back in the queue, past the list's end too.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inArray } from "drizzle-orm";
import { maxRetryDelayMs, MAX_ATTEMPTS } from "../src/jobs/schedule";
import { FAILURES_SHOWN } from "../src/modules/admin/queries";
import { markSealFailed } from "../src/modules/sealing/service";
import { BULK_BATCH } from "../src/store/batches";
import { envelopes } from "../src/store/schema";
import { addAdmin, consoleClient } from "./helpers/admin";
import type { FakeClock } from "./helpers/clock";
import { complete, createEnvelope, getEnvelope, quickStart, sendEnvelope, tokenOf, uploadDoc } from "./helpers/envelopes";
import { queryPlan } from "./helpers/query-plans";
import { startTestServer, type TestServer } from "./helpers/server";
import { startSmtpSink } from "./helpers/smtp";
import { freePort } from "./helpers/spawn";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false" } });
  await addAdmin(s);
});
afterAll(() => s.stop());

const plan = (sql: string, ...args: string[]) => queryPlan(s.deps.db.$client, sql, ...args);

test("past 200 failed seals: the dashboard counts them all, the failures page lists the latest 200 and says of how many", async () => {
  const doc = await uploadDoc(s);
  const ids: string[] = [];
  for (let i = 0; i < FAILURES_SHOWN + 3; i++) ids.push((await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Contract ${i}` }))).id);
  // One that did not fail, to be left out.
  await createEnvelope(s, quickStart([doc.id], undefined, { subject: "Sealed fine" }));
  // Failed seals as the seal job leaves them, the last one created the most recently failed.
  for (const [i, id] of ids.entries())
    await s.deps.db.update(envelopes).set({ sealStatus: "FAILED", updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000) }).where(inArray(envelopes.id, [id]));

  const c = consoleClient(s);
  await c.login();
  expect((await c.get("/admin?env=test")).text).toContain(`${FAILURES_SHOWN + 3} envelopes could not be sealed`);
  const page = (await c.get("/admin/failures")).text;
  const listed = [...page.matchAll(/\/admin\/envelopes\/(env_[^/"]+)\/retry-seal/g)].map((m) => m[1]);
  expect(listed).toEqual(ids.slice(3).reverse());
  expect(page).toContain(`The ${FAILURES_SHOWN} most recent of ${FAILURES_SHOWN + 3}.`);
});

test("the count and the list of failed seals read the index of failed seals only", () => {
  expect(plan("SELECT count(*) FROM envelopes WHERE environment = ? AND seal_status = 'FAILED'", "test")).toContain("USING COVERING INDEX envelopes_seal_failed (environment=?)");
  expect(plan("SELECT * FROM envelopes WHERE environment = ? AND seal_status = 'FAILED' ORDER BY updated_at DESC LIMIT 200", "test")).toContain("USING INDEX envelopes_seal_failed (environment=?)");
  const index = s.deps.db.$client.query("SELECT sql FROM sqlite_master WHERE name = 'envelopes_seal_failed'").get() as { sql: string };
  expect(index.sql).toContain(`WHERE "envelopes"."seal_status" = 'FAILED'`);
});

describe("Retry all", () => {
  let r: TestServer;
  let smtpPort: number;
  beforeAll(async () => {
    // SMTP points at a port where nothing listens yet; jobs run when the test drains them.
    smtpPort = await freePort();
    r = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: String(smtpPort) } });
    await addAdmin(r);
  });
  afterAll(() => r.stop());
  const drain = () => r.running.app.jobs.drain();
  const count = (sql: string) => (r.deps.db.$client.query(sql).get() as { n: number }).n;

  test("invitations that SMTP refused until they gave up: all of them sent again once it answers", async () => {
    const doc = await uploadDoc(r);
    const people = ["ana", "bo", "cy"].map((n) => ({ email: `${n}@example.com`, name: n }));
    for (const p of people) await sendEnvelope(r, (await createEnvelope(r, quickStart([doc.id], [p]))).id);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await drain();
      if (attempt < MAX_ATTEMPTS) (r.clock as FakeClock).advance(maxRetryDelayMs(attempt));
    }
    expect(count("SELECT count(*) AS n FROM jobs WHERE kind = 'deliver_message' AND status = 'failed'")).toBe(3);

    const c = consoleClient(r);
    await c.login();
    const page = (await c.get("/admin/failures?env=test")).text;
    expect(page).toContain('action="/admin/failures/messages/retry"');
    expect(page).toContain("Retry all 3");
    // No failed seal: no button for them.
    expect(page).not.toContain('action="/admin/failures/seals/retry"');

    const sink = await startSmtpSink({ port: smtpPort });
    try {
      const res = await c.post("/admin/failures/messages/retry");
      expect(res.res.status).toBe(303);
      expect(res.res.headers.get("location")).toBe("/admin/failures?retried=3");
      expect((await c.get("/admin/failures?retried=3")).text).toContain("3 put back in the queue.");
      expect(count("SELECT count(*) AS n FROM jobs WHERE kind = 'deliver_message' AND status = 'pending' AND attempts = 0")).toBe(3);
      await drain();
      const mails = await sink.waitFor(3);
      expect(mails.flatMap((m) => m.to).sort()).toEqual(people.map((p) => p.email));
      expect(count("SELECT count(*) AS n FROM jobs WHERE kind = 'deliver_message' AND status = 'failed'")).toBe(0);
    } finally {
      await sink.close();
    }
    // A second press finds nothing left to retry.
    expect((await c.post("/admin/failures/messages/retry")).res.headers.get("location")).toBe("/admin/failures?retried=0");
    expect((await c.get("/admin/activity")).text).toContain("jobs.retried");
  });

  test("more failed seals than a batch, beyond the list's end: all sealed again; the other environment's stay failed", async () => {
    const doc = await uploadDoc(r);
    const completed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const env = await sendEnvelope(r, (await createEnvelope(r, quickStart([doc.id], undefined, { subject: `Signed ${i}` }))).id);
      expect((await complete(r, tokenOf(env.recipients[0].signUrl))).status).toBe(200);
      // The seal gives up (as after its last attempt) before its job ran.
      await markSealFailed(r.deps, env.id, "simulated: the time-stamp authority was down");
      completed.push(env.id);
    }
    r.deps.db.$client.run("UPDATE jobs SET status = 'failed' WHERE kind = 'seal_envelope'");
    // Failed seals past one batch, as the seal job leaves them (these were never completed: their
    // new seal jobs are looked at, not run).
    const drafts: string[] = [];
    for (let i = 0; i < BULK_BATCH + 5; i++) drafts.push((await createEnvelope(r, quickStart([doc.id]))).id);
    await r.deps.db.update(envelopes).set({ sealStatus: "FAILED" }).where(inArray(envelopes.id, drafts));
    const [live] = drafts.splice(-1);
    await r.deps.db.update(envelopes).set({ environment: "live" }).where(inArray(envelopes.id, [live!]));

    const c = consoleClient(r);
    await c.login();
    const total = completed.length + drafts.length;
    expect((await c.get("/admin/failures?env=test")).text).toContain(`Retry all ${total}`);
    const res = await c.post("/admin/failures/seals/retry");
    expect(res.res.headers.get("location")).toBe(`/admin/failures?retried=${total}`);

    const ids = [...completed, ...drafts];
    const rows = await r.deps.db.select({ id: envelopes.id, sealStatus: envelopes.sealStatus }).from(envelopes).where(inArray(envelopes.id, [...ids, live!]));
    expect(rows.filter((e) => e.sealStatus === "PENDING").map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(rows.find((e) => e.id === live)!.sealStatus).toBe("FAILED");
    expect(count("SELECT count(*) AS n FROM jobs WHERE kind = 'seal_envelope' AND status = 'pending'")).toBe(total);
    expect(count("SELECT count(*) AS n FROM audit_events WHERE type = 'envelope.seal_retried'")).toBe(total);

    // The completed ones seal for real (the drafts' jobs are dropped from the queue first).
    r.deps.db.$client.run(`DELETE FROM jobs WHERE kind = 'seal_envelope' AND json_extract(payload, '$.envelopeId') IN (${drafts.map((d) => `'${d}'`).join(",")})`);
    await drain();
    for (const id of completed) expect((await getEnvelope(r, id)).sealStatus).toBe("SEALED");
    const activity = (await c.get("/admin/activity")).text;
    expect(activity).toContain("envelopes.seal_retried");
    expect(activity).toContain(`<dt>count</dt><dd><bdi>${total}</bdi></dd>`);
  });
});

test("a test e-mail to no address or a wrong one is refused, not reported sent", async () => {
  const c = consoleClient(s);
  await c.login();
  await c.get("/admin/settings");
  for (const to of ["", "   ", "not an address", "a@b@example.com"]) {
    const r = await c.post("/admin/settings/test-email", { to });
    expect({ to, status: r.res.status }).toEqual({ to, status: 422 });
    expect(r.text).toContain("not an e-mail address");
    expect(r.text).not.toContain("Test e-mail sent");
  }
});

