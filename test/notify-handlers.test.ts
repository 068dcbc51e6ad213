/**
 * Notification jobs over a real server, a real SMTP server and a real SMS gateway, with
 * envelopes written straight into the tables (the envelope API has its own flow tests in
 * notify-flow.test.ts). Time is a fake clock; the outbox is drained by hand.
 */
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps } from "../src/deps";
import type { Locale } from "../src/enums";
import { newId } from "../src/ids";
import { enqueue } from "../src/jobs/queue";
/** The default jobs.leaseSeconds, in ms. */
const LEASE_MS = 60_000;
import { maxRetryDelayMs } from "../src/jobs/schedule";
import { listAudit } from "../src/modules/audit/service";
import { signUrlOf } from "../src/modules/signing/token";
import { notificationHandlers } from "../src/modules/notifications/jobs";
import { sweepReminders } from "../src/modules/notifications/sweeps";
import { envelopes, jobs, recipients, type RecipientRole, type RecipientStatus } from "../src/store/schema";
import { fakeClock } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { useNotificationPeers } from "./helpers/notification-peers";
import { parseMail } from "./helpers/smtp";

const peers = useNotificationPeers();
const server = peers.server;

const smsEnv = () => ({
  CERTYNEO_SMS_GATEWAY_URL: `http://127.0.0.1:${peers.gateway.port}/sms`,
  CERTYNEO_SMS_BODY_TEMPLATE: '{"to":"{to}","message":"{text}"}',
  CERTYNEO_SMS_AUTHORIZATION: "Bearer gw",
});


interface RecipientSpec {
  email: string;
  name: string;
  phone?: string;
  role?: RecipientRole;
  status?: RecipientStatus;
  declineReason?: string;
}

/** A SENT envelope (or `status`) with its recipients, as the envelope service would have stored it. */
function fixture(
  deps: Deps,
  o: {
    subject?: string; message?: string; locale?: Locale; notifyBySms?: boolean; reminderIntervalHours?: number; expiresAt?: Date; status?: any; endReason?: string;
    recipients: RecipientSpec[];
  },
) {
  const now = deps.clock.now();
  const id = newId("env");
  deps.db.insert(envelopes).values({
    id, environment: "test", subject: o.subject ?? "Employment contract", message: o.message ?? null, status: o.status ?? "SENT",
    locale: o.locale ?? "en", notifyBySms: o.notifyBySms ?? false, reminderIntervalHours: o.reminderIntervalHours ?? null,
    expiresAt: o.expiresAt ?? null, metadata: {}, createdAt: now, updatedAt: now, sentAt: now, endReason: o.endReason ?? null,
  }).run();
  const ids = o.recipients.map((r, i) => {
    const rid = newId("rcp");
    const status = r.status ?? "SENT";
    deps.db.insert(recipients).values({
      id: rid, envelopeId: id, position: i, email: r.email, name: r.name, phone: r.phone ?? null, role: r.role ?? "SIGNER",
      routingOrder: 1, status, sentAt: status === "PENDING" ? null : now, declineReason: r.declineReason ?? null,
    }).run();
    return rid;
  });
  return { envelopeId: id, recipientIds: ids };
}

const signUrl = (s: TestServer, rid: string) => signUrlOf(s.deps.config.baseUrl, s.deps.secret, rid);
const auditOf = (s: TestServer, envelopeId: string) => listAudit(s.deps.db, envelopeId);
const jobsOf = (s: TestServer, kind: string) => s.deps.db.select().from(jobs).where(eq(jobs.kind, kind)).all();

describe("invitations", () => {
  test("e-mail over SMTP in English: subject, message and signUrl in text and HTML; audited", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, {
      subject: "Employment contract <2026>",
      message: "Welcome aboard!\nSee you Monday.",
      recipients: [{ email: "jane@example.com", name: "Jane Doe" }],
    });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    expect(await s.running.app.jobs.drain()).toBe(2); // send_invitation, then its deliver_message
    const [m] = await peers.sink.waitFor(1);
    expect(m!.to).toEqual(["jane@example.com"]);
    expect(m!.subject).toBe("Please sign: Employment contract <2026>");
    const url = signUrl(s, rid!);
    expect(url).toStartWith(`${s.url}/s/`);
    expect(m!.text).toContain(url);
    expect(m!.text).toContain("> Welcome aboard!");
    expect(m!.text).toContain("Hello Jane Doe,");
    expect(m!.html).toContain(`href="${url}"`);
    expect(m!.html).toContain("Employment contract &lt;2026&gt;");
    const events = await auditOf(s, envelopeId);
    expect(events.map((e) => e.type)).toEqual(["message.delivered"]);
    expect(events[0]).toMatchObject({ actor: "system", data: { recipientId: rid, channel: "email", message: "invitation", to: "jane@example.com", attempt: 1, messageId: m!.headers["message-id"] } });
  });

  test("in French", async () => {
    const s = await server(peers.sink.env);
    const { recipientIds: [rid] } = fixture(s.deps, { locale: "fr", subject: "Contrat de travail", recipients: [{ email: "jean@example.fr", name: "Jean Dupont" }] });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    const [m] = await peers.sink.waitFor(1);
    expect(m!.subject).toBe("Signature demandée : Contrat de travail");
    expect(m!.text).toContain("Bonjour Jean Dupont,");
    expect(m!.text).toContain("Consulter et signer");
    expect(m!.text).toContain(signUrl(s, rid!));
    expect(m!.html).toContain('<html lang="fr">');
  });

  test("with no SMTP configured the invitation is an .eml file in the outbox", async () => {
    const s = await server();
    const { recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "jane@example.com", name: "Jane" }] });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    const files = readdirSync(join(s.dir, "outbox"));
    expect(files).toHaveLength(1);
    const mail = parseMail(readFileSync(join(s.dir, "outbox", files[0]!), "utf8"));
    expect(mail.headers.to).toBe("jane@example.com");
    expect(mail.subject).toBe("Please sign: Employment contract");
    expect(mail.text).toContain(signUrl(s, rid!));
    expect(s.logs.some((l) => String(l.msg).startsWith("email written to outbox") && l.to === "jane@example.com")).toBe(true);
    expect(peers.sink.messages).toHaveLength(0);
  });

  test("SMS through the gateway when the envelope asks and the recipient has a phone", async () => {
    const s = await server({ ...peers.sink.env, ...smsEnv() });
    const { envelopeId, recipientIds: [withPhone, noPhone] } = fixture(s.deps, {
      notifyBySms: true,
      subject: 'Offer "Q3"',
      recipients: [{ email: "a@example.com", name: "A", phone: "+33612345678" }, { email: "b@example.com", name: "B" }],
    });
    for (const rid of [withPhone, noPhone]) await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(2);
    expect(peers.gateway.hits).toHaveLength(1);
    expect(peers.gateway.hits[0]!.auth).toBe("Bearer gw");
    expect(peers.gateway.hits[0]!.body).toEqual({ to: "+33612345678", message: `Please sign "Offer "Q3"": ${signUrl(s, withPhone!)}` });
    const delivered = (await auditOf(s, envelopeId)).filter((e) => e.type === "message.delivered").map((e) => `${(e.data as any).recipientId}:${(e.data as any).channel}`);
    expect(delivered.sort()).toEqual([`${withPhone}:email`, `${withPhone}:sms`, `${noPhone}:email`].sort());
  });

  test("no SMS without notifyBySms; SMS asked with no gateway is a failed message, the e-mail still goes", async () => {
    const s = await server(peers.sink.env);
    const a = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A", phone: "+33612345678" }] });
    const b = fixture(s.deps, { notifyBySms: true, recipients: [{ email: "b@example.com", name: "B", phone: "+33612345679" }] });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: a.recipientIds[0] } });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: b.recipientIds[0] } });
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(2);
    expect(peers.gateway.hits).toHaveLength(0);
    expect((await auditOf(s, b.envelopeId)).map((e) => [e.type, (e.data as any).channel])).toEqual([
      ["message.failed", "sms"],
      ["message.delivered", "email"],
    ]);
    expect((await auditOf(s, b.envelopeId))[0]!.data).toMatchObject({ error: "no SMS gateway is configured", willRetry: false });
  });

  test("an invitation whose recipient acted (or whose envelope ended) before delivery is not sent", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    s.deps.db.update(envelopes).set({ status: "VOIDED" }).where(eq(envelopes.id, envelopeId)).run();
    await s.running.app.jobs.drain();
    expect(peers.sink.messages).toHaveLength(0);
    expect(jobsOf(s, "send_invitation")[0]!.status).toBe("done");
  });

  test("an unknown recipient fails the job at once", async () => {
    const s = await server(peers.sink.env);
    const id = await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: "rcp_nope" } });
    await s.running.app.jobs.drain();
    expect(s.deps.db.select().from(jobs).where(eq(jobs.id, id)).get()).toMatchObject({ status: "failed", attempts: 1, lastError: "recipient rcp_nope does not exist" });
  });
});

describe("fan-out", () => {
  test("a parent job run again after a crash (fan-out committed, the runner's write lost) queues its messages once", async () => {
    const s = await server(peers.sink.env);
    const { recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    const parent = await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    // What the runner's claim writes (lease, attempt); then the handler runs and the process dies
    // before the runner's own bookkeeping.
    s.deps.db.update(jobs).set({ runAt: new Date(s.clock.now().getTime() + LEASE_MS), attempts: 1 }).where(eq(jobs.id, parent)).run();
    const handlers = notificationHandlers(s.deps);
    const runParent = () => handlers.send_invitation!.run({ recipientId: rid }, { deps: s.deps, jobId: parent, attempt: 1, signal: new AbortController().signal });
    await runParent();
    expect(jobsOf(s, "send_invitation")[0]).toMatchObject({ status: "done", attempts: 1 });
    // A second run (one that held the job too, or a re-run after the lease) queues nothing.
    await runParent();
    expect(jobsOf(s, "deliver_message")).toHaveLength(1);
    s.clock.advance(LEASE_MS);
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(1);
    expect(jobsOf(s, "deliver_message")).toHaveLength(1);
    expect(jobsOf(s, "send_invitation")[0]).toMatchObject({ status: "done", attempts: 1 });
    expect(peers.sink.messages).toHaveLength(1);
  });

  test("notices too: a notify_* job run twice queues each message once", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId } = fixture(s.deps, {
      status: "COMPLETED",
      recipients: [{ email: "s1@example.com", name: "S1", status: "SIGNED" }, { email: "s2@example.com", name: "S2", status: "SIGNED" }],
    });
    const parent = await enqueue(s.deps.db, s.deps.clock, { kind: "notify_completed", payload: { envelopeId }, runAt: new Date(s.clock.now().getTime() + LEASE_MS) });
    const handlers = notificationHandlers(s.deps);
    for (let i = 0; i < 2; i++) await handlers.notify_completed!.run({ envelopeId }, { deps: s.deps, jobId: parent, attempt: 1, signal: new AbortController().signal });
    expect(jobsOf(s, "deliver_message")).toHaveLength(2);
    expect(s.logs.some((l) => l.msg === "completed already fanned out by an earlier run" && l.jobId === parent)).toBe(true);
  });
});

describe("failures are retried with back-off and audited", () => {
  test("SMTP refusing twice: two failed events, then delivered after the back-off", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    peers.sink.failNext(2);
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    const [job] = jobsOf(s, "deliver_message");
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job!.lastError).toMatch(/451/);
    const wait1 = job!.runAt.getTime() - s.clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(10_000);
    expect(wait1).toBeLessThanOrEqual(maxRetryDelayMs(1));
    // Not before its time.
    s.clock.advance(9_000);
    expect(await s.running.app.jobs.drain()).toBe(0);
    s.clock.advance(maxRetryDelayMs(1) - 9_000);
    await s.running.app.jobs.drain();
    expect(jobsOf(s, "deliver_message")[0]).toMatchObject({ status: "pending", attempts: 2 });
    s.clock.advance(maxRetryDelayMs(2));
    await s.running.app.jobs.drain();
    expect(jobsOf(s, "deliver_message")[0]).toMatchObject({ status: "done", attempts: 3 });
    expect(peers.sink.messages).toHaveLength(1);
    const events = await auditOf(s, envelopeId);
    expect(events.map((e) => [e.type, (e.data as any).attempt])).toEqual([
      ["message.failed", 1],
      ["message.failed", 2],
      ["message.delivered", 3],
    ]);
    expect(events[0]!.data).toMatchObject({ channel: "email", recipientId: rid, willRetry: true });
    expect((events[0]!.data as any).error).toMatch(/451/);
  });

  test("a failing SMS gateway is retried on its own: the e-mail is not sent again", async () => {
    const s = await server({ ...peers.sink.env, ...smsEnv() });
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { notifyBySms: true, recipients: [{ email: "a@example.com", name: "A", phone: "+15551234567" }] });
    peers.gateway.status = 502;
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    expect(peers.gateway.hits).toHaveLength(1);
    peers.gateway.status = 200;
    s.clock.advance(maxRetryDelayMs(1));
    await s.running.app.jobs.drain();
    expect(peers.gateway.hits).toHaveLength(2);
    expect(peers.sink.messages).toHaveLength(1);
    const smsEvents = (await auditOf(s, envelopeId)).filter((e) => (e.data as any).channel === "sms");
    expect(smsEvents.map((e) => e.type)).toEqual(["message.failed", "message.delivered"]);
    expect((smsEvents[0]!.data as any).error).toBe("SMS gateway answered HTTP 502: gateway down");
  });

  test("after the last attempt the job is failed and the last event says no retry", async () => {
    const s = await server({ CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: "1" });
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    for (let i = 0; i < 10; i++) {
      await s.running.app.jobs.drain();
      s.clock.advance(25 * 3600_000);
    }
    expect(jobsOf(s, "deliver_message")[0]).toMatchObject({ status: "failed", attempts: 8 });
    const failed = (await auditOf(s, envelopeId)).filter((e) => e.type === "message.failed");
    expect(failed).toHaveLength(8);
    expect(failed.at(-1)!.data).toMatchObject({ attempt: 8, willRetry: false });
  });
});

describe("a message that went is not sent again", () => {
  test("when its audit event cannot be written: the job is done and the failure logged", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    // Audit writes fail from now on, as they would on a database busy beyond its timeout.
    s.deps.db.$client.run("CREATE TRIGGER audit_refused BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'database is locked'); END");
    await enqueue(s.deps.db, s.deps.clock, { kind: "send_invitation", payload: { recipientId: rid } });
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(1);
    expect(jobsOf(s, "deliver_message")[0]).toMatchObject({ status: "done", attempts: 1, lastError: null });
    const logged = s.logs.find((l) => l.msg === "message delivered but its audit event could not be written");
    expect(logged).toMatchObject({ level: "error", envelopeId, recipientId: rid, channel: "email", message: "invitation", messageId: peers.sink.messages[0]!.headers["message-id"] });
    expect(logged!.error).toContain("database is locked");
    s.clock.advance(25 * 3600_000);
    await s.running.app.jobs.drain();
    expect(peers.sink.messages).toHaveLength(1);
    expect(await auditOf(s, envelopeId)).toHaveLength(0);
  });
});

describe("a pending job survives a restart", () => {
  test("delivery failing on one server is delivered by the next one on the same data directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certyneo-restart-"));
    const clock = fakeClock();
    try {
      const first = await startTestServer({ dir, clock, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: "1" } });
      const { envelopeId, recipientIds: [rid] } = fixture(first.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
      await enqueue(first.deps.db, clock, { kind: "send_invitation", payload: { recipientId: rid } });
      await first.running.app.jobs.drain();
      const url = signUrl(first, rid!);
      await first.stop();

      const second = await server(peers.sink.env, { dir, clock });
      second.deps.config.baseUrl = first.deps.config.baseUrl;
      expect(jobsOf(second, "deliver_message")[0]).toMatchObject({ status: "pending", attempts: 1 });
      clock.advance(maxRetryDelayMs(1));
      await second.running.app.jobs.drain();
      const [m] = await peers.sink.waitFor(1);
      expect(m!.text).toContain(url);
      expect((await auditOf(second, envelopeId)).map((e) => e.type)).toEqual(["message.failed", "message.delivered"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a job enqueued but never run runs after a restart, from the timer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certyneo-restart-"));
    const clock = fakeClock();
    try {
      const first = await startTestServer({ dir, clock, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
      const { recipientIds: [rid] } = fixture(first.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
      // Due in a minute: the first server stops before that.
      await enqueue(first.deps.db, clock, { kind: "send_invitation", payload: { recipientId: rid }, runAt: new Date(clock.now().getTime() + 60_000) });
      await first.stop();
      clock.advance(60_000);
      const second = await server({ CERTYNEO_JOBS_POLL_MS: "20", ...peers.sink.env }, { dir, clock });
      const [m] = await peers.sink.waitFor(1, 5000);
      expect(m!.to).toEqual(["a@example.com"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("end-of-envelope notices", () => {
  test("declined: invited recipients other than the decliner hear why; not-yet-invited and CC do not", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds } = fixture(s.deps, {
      status: "DECLINED",
      subject: "NDA",
      recipients: [
        { email: "signed@example.com", name: "Signed", status: "SIGNED" },
        { email: "decliner@example.com", name: "Dee Cliner", status: "DECLINED", declineReason: "Wrong <address>" },
        { email: "waiting@example.com", name: "Waiting", status: "VIEWED" },
        { email: "later@example.com", name: "Later", status: "PENDING" },
        { email: "cc@example.com", name: "Cc", role: "CC", status: "PENDING" },
      ],
    });
    await enqueue(s.deps.db, s.deps.clock, { kind: "notify_declined", payload: { envelopeId } });
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(2);
    expect(peers.sink.messages.map((m) => m.to[0]).sort()).toEqual(["signed@example.com", "waiting@example.com"]);
    const m = peers.sink.messages[0]!;
    expect(m.subject).toBe("Declined: NDA");
    expect(m.text).toContain("Dee Cliner declined to sign “NDA”.");
    expect(m.text).toContain("Reason given: Wrong <address>");
    expect(m.html).toContain("Wrong &lt;address&gt;");
    expect(m.text).not.toContain("/s/");
    expect((await auditOf(s, envelopeId)).filter((e) => e.type === "message.delivered").map((e) => (e.data as any).message)).toEqual(["declined", "declined"]);
    expect(recipientIds).toHaveLength(5);
  });

  test("voided: told with the reason, in French", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId } = fixture(s.deps, {
      status: "VOIDED", locale: "fr", subject: "Avenant", endReason: "Erreur de salaire",
      recipients: [{ email: "a@example.fr", name: "A" }, { email: "b@example.fr", name: "B", status: "PENDING" }],
    });
    await enqueue(s.deps.db, s.deps.clock, { kind: "notify_voided", payload: { envelopeId } });
    await s.running.app.jobs.drain();
    const [m] = await peers.sink.waitFor(1);
    expect(peers.sink.messages).toHaveLength(1);
    expect(m!.subject).toBe("Annulé : Avenant");
    expect(m!.text).toContain("L’expéditeur a annulé « Avenant ».");
    expect(m!.text).toContain("Motif indiqué : Erreur de salaire");
  });

  test("completed: signers and CC recipients get the completion mail with their own link", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds } = fixture(s.deps, {
      status: "COMPLETED",
      recipients: [
        { email: "s1@example.com", name: "S1", status: "SIGNED" },
        { email: "s2@example.com", name: "S2", status: "SIGNED" },
        { email: "cc@example.com", name: "CC", role: "CC", status: "PENDING" },
      ],
    });
    await enqueue(s.deps.db, s.deps.clock, { kind: "notify_completed", payload: { envelopeId } });
    await s.running.app.jobs.drain();
    await peers.sink.waitFor(3);
    for (const [i, rid] of recipientIds.entries()) {
      const m = peers.sink.messages.find((x) => x.to[0] === ["s1@example.com", "s2@example.com", "cc@example.com"][i])!;
      expect(m.subject).toBe("Completed: Employment contract");
      expect(m.text).toContain(signUrl(s, rid));
    }
    expect((await auditOf(s, envelopeId)).filter((e) => e.type === "message.delivered")).toHaveLength(3);
  });
});

describe("reminders", () => {
  test("once per interval to invited recipients who have not acted, with lastRemindedAt and audit events", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [waiting, viewed, signed, pending, cc] } = fixture(s.deps, {
      reminderIntervalHours: 24,
      recipients: [
        { email: "waiting@example.com", name: "W" },
        { email: "viewed@example.com", name: "V", status: "VIEWED" },
        { email: "signed@example.com", name: "S", status: "SIGNED" },
        { email: "pending@example.com", name: "P", status: "PENDING" },
        { email: "cc@example.com", name: "C", role: "CC", status: "SENT" },
      ],
    });
    const drain = () => s.running.app.jobs.drain();
    s.clock.advance(23 * 3600_000);
    await drain();
    expect(peers.sink.messages).toHaveLength(0);
    s.clock.advance(3600_000);
    const firstAt = s.clock.now();
    await drain();
    await peers.sink.waitFor(2);
    expect(peers.sink.messages.map((m) => m.to[0]).sort()).toEqual(["viewed@example.com", "waiting@example.com"]);
    expect(peers.sink.messages[0]!.subject).toBe("Reminder: please sign: Employment contract");
    expect(peers.sink.messages.find((m) => m.to[0] === "waiting@example.com")!.text).toContain(signUrl(s, waiting!));
    const row = (id: string) => s.deps.db.select().from(recipients).where(eq(recipients.id, id)).get()!;
    expect(row(waiting!).lastRemindedAt).toEqual(firstAt);
    expect(row(signed!).lastRemindedAt).toBeNull();
    expect(row(pending!).lastRemindedAt).toBeNull();
    expect(row(cc!).lastRemindedAt).toBeNull();
    // Not again within the interval, however often the timer ticks.
    await drain();
    s.clock.advance(23 * 3600_000);
    await drain();
    expect(peers.sink.messages).toHaveLength(2);
    // The viewer signs meanwhile: only the other one is reminded the next day.
    s.deps.db.update(recipients).set({ status: "SIGNED" }).where(eq(recipients.id, viewed!)).run();
    s.clock.advance(3600_000);
    await drain();
    await peers.sink.waitFor(3);
    expect(peers.sink.messages[2]!.to).toEqual(["waiting@example.com"]);
    const types = (await auditOf(s, envelopeId)).map((e) => [e.type, (e.data as any).recipientId]);
    expect(types.filter(([t]) => t === "recipient.reminded")).toHaveLength(3);
    expect(types.filter(([t]) => t === "message.delivered")).toHaveLength(3);
    expect(jobsOf(s, "send_reminder")).toHaveLength(3);
  });

  test("in French, and by SMS too when the envelope asks", async () => {
    const s = await server({ ...peers.sink.env, ...smsEnv() });
    fixture(s.deps, { locale: "fr", notifyBySms: true, reminderIntervalHours: 2, subject: "Bail", recipients: [{ email: "a@example.fr", name: "A", phone: "+33600000001" }] });
    s.clock.advance(2 * 3600_000);
    await s.running.app.jobs.drain();
    const [m] = await peers.sink.waitFor(1);
    expect(m!.subject).toBe("Rappel : signature demandée : Bail");
    expect(peers.gateway.hits).toHaveLength(1);
    expect(peers.gateway.hits[0]!.body.message).toStartWith("Rappel : signature demandée « Bail » : http");
  });

  test("an envelope voided between the sweep's select and its transaction gets no reminder", async () => {
    const s = await server(peers.sink.env);
    const { envelopeId, recipientIds: [rid] } = fixture(s.deps, { reminderIntervalHours: 1, recipients: [{ email: "a@example.com", name: "A" }] });
    s.clock.advance(3600_000);
    // The sweep's database, on which another writer voids the envelope just before each
    // transaction begins (store/transaction.ts transaction(): BEGIN IMMEDIATE on the connection).
    const client = s.deps.db.$client;
    const voidingClient = new Proxy(client, {
      get(target, key) {
        if (key === "run") {
          return (query: string, ...rest: any[]) => {
            if (query.startsWith("BEGIN")) s.deps.db.update(envelopes).set({ status: "VOIDED" }).where(eq(envelopes.id, envelopeId)).run();
            return target.run(query, ...rest);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const db: Deps["db"] = Object.create(s.deps.db, { $client: { value: voidingClient } });
    expect(await sweepReminders({ ...s.deps, db })).toBe(0);
    expect(jobsOf(s, "send_reminder")).toHaveLength(0);
    expect(s.deps.db.select().from(recipients).where(eq(recipients.id, rid!)).get()!.lastRemindedAt).toBeNull();
    expect(await auditOf(s, envelopeId)).toHaveLength(0);
  });

  test("no reminders for envelopes without an interval, ended, or past their expiry", async () => {
    const s = await server(peers.sink.env);
    const day = 24 * 3600_000;
    fixture(s.deps, { recipients: [{ email: "a@example.com", name: "A" }] });
    fixture(s.deps, { status: "VOIDED", reminderIntervalHours: 1, recipients: [{ email: "b@example.com", name: "B" }] });
    // Past its expiry but not yet marked EXPIRED (the expiry sweep has not run): no reminder either.
    fixture(s.deps, { reminderIntervalHours: 1, expiresAt: new Date(s.clock.now().getTime() + day), recipients: [{ email: "c@example.com", name: "C" }] });
    // The control: due, so the sweep did look.
    const due = fixture(s.deps, { reminderIntervalHours: 1, recipients: [{ email: "d@example.com", name: "D" }] });
    s.clock.advance(2 * day);
    expect(await sweepReminders(s.deps)).toBe(1);
    expect(jobsOf(s, "send_reminder").map((j) => j.payload)).toEqual([{ recipientId: due.recipientIds[0] }]);
  });
});
