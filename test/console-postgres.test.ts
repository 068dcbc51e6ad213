/**
 * The console, API keys, branding and the stored secrets on PostgreSQL: the statements written
 * once for both dialects (the console's search and counts, the failed deliveries found through
 * their job's JSON payload, the login lockout's upsert, the key cache's invalidation by another
 * node) give there what they give on SQLite. Only HTTP and the domain's own functions are used.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, inArray } from "drizzle-orm";
import { listAudit } from "../src/modules/audit/service";
import { listActions } from "../src/modules/admin/actions";
import { getBranding } from "../src/modules/branding/service";
import { sha256Hex } from "../src/ids";
import { apiKeys, envelopes, jobs, webhooks } from "../src/store/schema";
import { isSealed, sealStoredSecrets } from "../src/store/secret-box";
import { addAdmin, ADMIN_EMAIL, consoleClient } from "./helpers/admin";
import type { FakeClock } from "./helpers/clock";
import { createEnvelope, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

describe.skipIf(!havePostgres)("console on PostgreSQL", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ postgres: true, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    await addAdmin(s);
  });
  afterAll(() => s?.stop());

  test("login, a lockout after repeated failures, and the action log", async () => {
    const email = "locked@example.com";
    await addAdmin(s, email);
    for (let i = 0; i < 4; i++) expect((await consoleClient(s).login(email, "wrong")).res.status).toBe(401);
    expect((await consoleClient(s).login(email, "wrong")).res.status).toBe(429);
    expect((await consoleClient(s).login(email, "wrong")).res.status).toBe(429);
    (s.clock as FakeClock).advance(31_000);
    const c = consoleClient(s);
    expect((await c.login()).res.status).toBe(303);
    expect((await c.get("/admin/activity")).text).toContain("login.locked");
    expect((await listActions(s.deps.db)).filter((a) => a.actor === email && a.action === "login.failed")).toHaveLength(5);
  });

  test("failed logins sent together each count towards the lockout", async () => {
    const email = "together@example.com";
    await addAdmin(s, email);
    await Promise.all(Array.from({ length: 5 }, () => consoleClient(s).login(email, "wrong")));
    expect((await consoleClient(s).login(email)).res.status).toBe(429);
  });

  test("search ignores case and accents (elodie finds Élodie); counts and failed deliveries show", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "Elodie.Martin@Example.com", name: "Élodie Martin" }], { subject: "Contrat de travail", metadata: { ref: "E-4711" } }));
    await sendEnvelope(s, env.id);
    const c = consoleClient(s);
    await c.login();
    await c.get("/admin?env=test");
    for (const q of ["contrat", "CONTRAT", "élodie", "ÉLODIE", "elodie martin", "ELODIE", "elodie.martin@example", "e-4711"])
      expect((await c.get(`/admin/envelopes?q=${encodeURIComponent(q)}`)).text, q).toContain(`/admin/envelopes/${env.id}`);
    expect((await c.get("/admin/envelopes?q=100%25")).text).not.toContain(`/admin/envelopes/${env.id}`);
    expect((await c.get("/admin")).text).toMatch(/badge-sent">SENT<\/span><\/a><\/td><td>1<\/td>/);

    // The invitation fans out into its delivery job, which is then marked as one that failed for good.
    await s.running.app.jobs.drain();
    await s.deps.db.update(jobs).set({ status: "failed", lastError: "550 mailbox unavailable" }).where(eq(jobs.kind, "deliver_message"));
    const failures = (await c.get("/admin/failures")).text;
    expect(failures).toContain("Elodie.Martin@Example.com");
    expect(failures).toContain("550 mailbox unavailable");
    expect((await c.get("/admin")).text).toContain("1 e-mail or SMS deliveries failed");
  });

  test("Retry all: every failed delivery and every failed seal back in the queue", async () => {
    const doc = await uploadDoc(s);
    const sent = [];
    for (const email of ["r1@example.com", "r2@example.com"]) sent.push(await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email, name: email }]))).id));
    await s.running.app.jobs.drain();
    await s.deps.db.update(jobs).set({ status: "failed" }).where(eq(jobs.kind, "deliver_message"));
    await s.deps.db.update(envelopes).set({ sealStatus: "FAILED" }).where(inArray(envelopes.id, sent.map((e) => e.id)));
    const failedDeliveries = (await s.deps.db.select().from(jobs).where(and(eq(jobs.kind, "deliver_message"), eq(jobs.status, "failed")))).length;
    const c = consoleClient(s);
    await c.login();
    await c.get("/admin/failures?env=test");
    expect((await c.post("/admin/failures/messages/retry")).res.headers.get("location")).toBe(`/admin/failures?retried=${failedDeliveries}`);
    expect(await s.deps.db.select().from(jobs).where(and(eq(jobs.kind, "deliver_message"), eq(jobs.status, "failed")))).toEqual([]);
    expect((await c.post("/admin/failures/seals/retry")).res.headers.get("location")).toBe("/admin/failures?retried=2");
    expect((await s.deps.db.select().from(envelopes).where(inArray(envelopes.id, sent.map((e) => e.id)))).map((e) => e.sealStatus)).toEqual(["PENDING", "PENDING"]);
    for (const e of sent) expect((await listAudit(s.deps.db, e.id)).map((a) => a.type)).toContain("envelope.seal_retried");
  });

  test("a key revoked by another node fails on its next requests; the console lists and revokes keys", async () => {
    const key = await s.key("test", "elsewhere");
    expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    // As another node would: a plain update, not this process's invalidate(); the NOTIFY reaches the cache.
    await s.deps.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.hash, sha256Hex(key)));
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await s.api("/api/v1/documents", { key })).status;
      if (status === 200) await Bun.sleep(5);
    }
    expect(status).toBe(401);

    const other = await s.key("test", "console");
    const c = consoleClient(s);
    await c.login();
    const page = (await c.get("/admin/keys?env=test")).text;
    const id = new RegExp(`console<br><code class="small">(key_[^<]+)</code>`).exec(page)?.[1];
    expect(id).toBeDefined();
    expect((await c.post(`/admin/keys/${id}/revoke`)).res.status).toBe(303);
    expect((await s.api("/api/v1/documents", { key: other })).status).toBe(401);
  });

  test("branding saved in the console; webhook secrets left in clear are sealed", async () => {
    const c = consoleClient(s);
    await c.login();
    await c.get("/admin/branding");
    const saved = await c.post("/admin/branding", { organisationName: "Acme GmbH", accentColor: "#0b5e3a", fromName: "", fromAddress: "", replyTo: "" });
    expect(saved.res.status).toBe(303);
    expect((await getBranding(s.deps.db)).organisationName).toBe("Acme GmbH");
    expect((await c.get("/admin")).text).toContain("Acme GmbH");

    const res = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/hook" } });
    const { id, secret } = (await res.json()) as { id: string; secret: string };
    await s.deps.db.update(webhooks).set({ secret }).where(eq(webhooks.id, id));
    expect(await sealStoredSecrets(s.deps.db, s.deps.secret)).toBe(1);
    const [row] = await s.deps.db.select({ secret: webhooks.secret }).from(webhooks).where(eq(webhooks.id, id));
    expect(isSealed(row!.secret)).toBe(true);
    expect(await sealStoredSecrets(s.deps.db, s.deps.secret)).toBe(0);
    expect((await listActions(s.deps.db)).find((a) => a.action === "settings.branding_saved")?.actor).toBe(ADMIN_EMAIL);
  });
});
