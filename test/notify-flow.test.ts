/**
 * Notifications through the public API, over the real server: an envelope is created and sent with
 * POST /api/v1/envelopes and /send, the outbox is drained (fake clock, no sleeping), and what the
 * SMTP server, the outbox folder or the SMS gateway received is checked against the API's signUrl.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { maxRetryDelayMs } from "../src/jobs/schedule";
import { listAudit } from "../src/modules/audit/service";
import { makePdf } from "./helpers/pdf";
import type { TestServer } from "./helpers/server";
import { useNotificationPeers } from "./helpers/notification-peers";
import { saveBranding } from "../src/modules/branding/service";
import { parseMail } from "./helpers/smtp";
import { tempDir } from "./helpers/spawn";
import { pdfsig } from "./pdf/helpers-seal";

const peers = useNotificationPeers();
const server = peers.server;


async function json(res: Response, status: number) {
  const body = await res.json();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body as any;
}

async function sentEnvelope(s: TestServer, body: Record<string, unknown>) {
  const pdf = await makePdf(1);
  const doc = await json(await s.api("/api/v1/documents", { method: "POST", json: { name: "contract.pdf", contentBase64: Buffer.from(pdf).toString("base64") } }), 201);
  const created = await json(await s.api("/api/v1/envelopes", { method: "POST", json: { documentIds: [doc.id], ...body } }), 201);
  return json(await s.api(`/api/v1/envelopes/${created.id}/send`, { method: "POST" }), 200);
}

const drain = (s: TestServer) => s.running.app.jobs.drain();
const audit = (s: TestServer, id: string) => listAudit(s.deps.db, id);

describe("invitations through the API", () => {
  test("quick start over SMTP: the invitation carries the subject, the message and the signUrl the API returned", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Employment contract",
      message: "Hi Jane, please sign by Friday.",
      recipients: [{ email: "jane.doe@example.com", name: "Jane Doe", role: "SIGNER" }],
    });
    const signUrl: string = env.recipients[0].signUrl;
    expect(signUrl).toStartWith(`${s.url}/s/`);
    await drain(s);
    const [m] = await peers.sink.waitFor(1);
    expect(m!.to).toEqual(["jane.doe@example.com"]);
    expect(m!.subject).toBe("Please sign: Employment contract");
    expect(m!.text).toContain("Hi Jane, please sign by Friday.");
    expect(m!.text).toContain(signUrl);
    expect(m!.html).toContain(`href="${signUrl}"`);

    // The link in the mail opens the signing session.
    const link = m!.text.split("\n").find((l) => l.startsWith(`${s.url}/s/`))!;
    const token = link.slice(`${s.url}/s/`.length);
    const session = await json(await fetch(`${s.url}/api/v1/signing/${token}`), 200);
    expect(JSON.stringify(session)).toContain("Employment contract");

    const types = (await audit(s, env.id)).map((e) => e.type);
    expect(types).toContain("message.delivered");
    expect(types.indexOf("message.delivered")).toBeGreaterThan(types.indexOf("envelope.sent"));
  });

  test("in French", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Contrat de travail",
      locale: "fr",
      recipients: [{ email: "jean@example.fr", name: "Jean Dupont" }],
    });
    await drain(s);
    const [m] = await peers.sink.waitFor(1);
    expect(m!.subject).toBe("Signature demandée : Contrat de travail");
    expect(m!.text).toContain("Bonjour Jean Dupont,");
    expect(m!.text).toContain(env.recipients[0].signUrl);
  });

  test("embedded default (no SMTP): an .eml lands in {dataDir}/outbox with the signUrl", async () => {
    const s = await server();
    const env = await sentEnvelope(s, { subject: "NDA", recipients: [{ email: "a@example.com", name: "A" }] });
    await drain(s);
    const files = readdirSync(join(s.dir, "outbox")).filter((f) => f.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const mail = parseMail(readFileSync(join(s.dir, "outbox", files[0]!), "utf8"));
    expect(mail.subject).toBe("Please sign: NDA");
    expect(mail.headers.to).toBe("a@example.com");
    expect(mail.text).toContain(env.recipients[0].signUrl);
  });

  test("SMS to a real gateway with the templated body when notifyBySms", async () => {
    const s = await server({
      ...peers.sink.env,
      CERTYNEO_SMS_GATEWAY_URL: `http://127.0.0.1:${peers.gateway.port}/v1/messages`,
      CERTYNEO_SMS_BODY_TEMPLATE: '{"destination":"{to}","body":"{text}","channel":"sms"}',
    });
    const env = await sentEnvelope(s, {
      subject: "Lease",
      notifyBySms: true,
      recipients: [{ email: "a@example.com", name: "A", phone: "+33612345678" }],
    });
    await drain(s);
    expect(peers.gateway.hits.map((h) => h.body)).toEqual([{ destination: "+33612345678", body: `Please sign "Lease": ${env.recipients[0].signUrl}`, channel: "sms" }]);
    await peers.sink.waitFor(1);
  });

  test("sequential routing: the second signer is invited only after the first signs", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Two steps",
      signingOrder: "sequential",
      recipients: [{ email: "first@example.com", name: "First" }, { email: "second@example.com", name: "Second" }],
    });
    await drain(s);
    await peers.sink.waitFor(1);
    expect(peers.sink.messages.map((m) => m.to[0])).toEqual(["first@example.com"]);
    const token = env.recipients[0].signUrl.split("/s/")[1];
    await json(await fetch(`${s.url}/api/v1/signing/${token}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: { type: "typed", value: "First" }, consent: true }),
    }), 200);
    await drain(s);
    await peers.sink.waitFor(2);
    expect(peers.sink.messages[1]!.to).toEqual(["second@example.com"]);
    expect(peers.sink.messages[1]!.text).toContain(env.recipients[1].signUrl);
  });
});

describe("failures through the API", () => {
  test("SMTP down at send time: failed attempts are audit events, the invitation goes out after the back-off", async () => {
    const s = await server(peers.sink.env);
    peers.sink.failNext(1);
    const env = await sentEnvelope(s, { subject: "Retry me", recipients: [{ email: "a@example.com", name: "A" }] });
    await drain(s);
    expect(peers.sink.messages).toHaveLength(0);
    const failed = (await audit(s, env.id)).filter((e) => e.type === "message.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ recipientId: env.recipients[0].id, channel: "email", attempt: 1, willRetry: true });
    s.clock.advance(maxRetryDelayMs(1));
    await drain(s);
    await peers.sink.waitFor(1);
    expect((await audit(s, env.id)).filter((e) => e.type === "message.delivered")).toHaveLength(1);
  });

  test("a failing SMS gateway is retried and audited while the e-mail went once", async () => {
    const s = await server({ ...peers.sink.env, CERTYNEO_SMS_GATEWAY_URL: `http://127.0.0.1:${peers.gateway.port}/` });
    peers.gateway.status = 500;
    const env = await sentEnvelope(s, { subject: "SMS", notifyBySms: true, recipients: [{ email: "a@example.com", name: "A", phone: "+15550001111" }] });
    await drain(s);
    s.clock.advance(maxRetryDelayMs(1));
    await drain(s);
    peers.gateway.status = 200;
    s.clock.advance(maxRetryDelayMs(2));
    await drain(s);
    expect(peers.gateway.hits).toHaveLength(3);
    expect(peers.sink.messages).toHaveLength(1);
    const sms = (await audit(s, env.id)).filter((e) => (e.data as any)?.channel === "sms").map((e) => e.type);
    expect(sms).toEqual(["message.failed", "message.failed", "message.delivered"]);
  });
});

describe("lifecycle notices through the API", () => {
  test("decline: the other invited signer is told, with the reason", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Offer",
      recipients: [{ email: "a@example.com", name: "Alice" }, { email: "b@example.com", name: "Bob" }],
    });
    await drain(s);
    await peers.sink.waitFor(2);
    const token = env.recipients[1].signUrl.split("/s/")[1];
    await json(await fetch(`${s.url}/api/v1/signing/${token}/decline`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "The salary is wrong" }),
    }), 200);
    await drain(s);
    await peers.sink.waitFor(3);
    const notice = peers.sink.messages[2]!;
    expect(notice.to).toEqual(["a@example.com"]);
    expect(notice.subject).toBe("Declined: Offer");
    expect(notice.text).toContain("Bob declined to sign");
    expect(notice.text).toContain("The salary is wrong");
  });

  test("with a sender and a language: invitations from the sender (reply-to), a decline tells the sender by e-mail", async () => {
    const s = await server(peers.sink.env);
    await saveBranding(s.deps, { actor: "admin:test" }, { organisationName: "Acme GmbH", accentColor: "#0b5e3a", fromName: "", fromAddress: "", replyTo: "branding@acme.example" });
    const env = await sentEnvelope(s, {
      subject: "Arbeitsvertrag", locale: "de", sender: { name: "Maria Keller", email: "hr@acme.example" },
      recipients: [{ email: "a@example.com", name: "Anna" }, { email: "b@example.com", name: "Bernd" }],
    });
    expect(env.sender).toEqual({ name: "Maria Keller", email: "hr@acme.example" });
    expect(env.locale).toBe("de");
    await drain(s);
    const [invitation] = await peers.sink.waitFor(2);
    expect(invitation!.subject).toBe("Bitte unterschreiben: Arbeitsvertrag");
    expect(invitation!.text).toContain("Maria Keller bittet Sie, „Arbeitsvertrag“ zu unterschreiben.");
    expect(invitation!.headers["reply-to"]).toBe("hr@acme.example");
    expect(invitation!.text).toContain("Gesendet von Acme GmbH mit Certyneo");
    // The organisation's colour on the button; the envelope's sender, not the branding's reply-to, gets the replies.
    expect(invitation!.html).toContain("background:#0b5e3a;color:#ffffff");

    const token = env.recipients[1].signUrl.split("/s/")[1];
    await json(await fetch(`${s.url}/api/v1/signing/${token}/decline`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "Falsches Gehalt" }),
    }), 200);
    await drain(s);
    const mails = await peers.sink.waitFor(4);
    const toSender = mails.find((m) => m.to[0] === "hr@acme.example")!;
    expect(toSender.subject).toBe("Abgelehnt: Arbeitsvertrag");
    expect(toSender.text).toContain("Bernd (b@example.com) hat die Unterschrift von „Arbeitsvertrag“ abgelehnt.");
    expect(toSender.text).toContain("Angegebener Grund: Falsches Gehalt");
    expect(toSender.text).toContain(`Umschlag ${env.id}`);
    const delivered = (await audit(s, env.id)).filter((e) => e.type === "message.delivered").map((e) => e.data as any);
    expect(delivered.some((d) => d.audience === "sender" && d.to === "hr@acme.example")).toBe(true);
    // Without a sender, nobody but the recipients hears of it (the webhook tells the integrator).
  });

  test("void: recipients are told, with the reason", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, { subject: "Oops", recipients: [{ email: "a@example.com", name: "A" }] });
    await drain(s);
    await peers.sink.waitFor(1);
    await json(await s.api(`/api/v1/envelopes/${env.id}?reason=${encodeURIComponent("Sent by mistake")}`, { method: "DELETE" }), 200);
    await drain(s);
    await peers.sink.waitFor(2);
    expect(peers.sink.messages[1]!.subject).toBe("Cancelled: Oops");
    expect(peers.sink.messages[1]!.text).toContain("The sender cancelled “Oops”.");
    expect(peers.sink.messages[1]!.text).toContain("Reason given: Sent by mistake");
  });

  test("void, then an erasure while the notice is on its way: the notice goes, nothing is written back, no error", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, { subject: "Erase me", recipients: [{ email: "a@example.com", name: "A" }] });
    await drain(s);
    await peers.sink.waitFor(1);
    await json(await s.api(`/api/v1/envelopes/${env.id}`, { method: "DELETE" }), 200);
    const held = peers.sink.holdNext();
    const draining = drain(s);
    // The notice is at the SMTP server, whose answer waits: the purge comes now.
    await held.arrived;
    await json(await s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" }), 200);
    held.release();
    await draining;
    expect(peers.sink.messages[1]!.subject).toBe("Cancelled: Erase me");
    expect(await audit(s, env.id)).toEqual([]);
    expect((await s.api(`/api/v1/envelopes/${env.id}`)).status).toBe(410);
    expect(s.logs.filter((l) => l.level === "error")).toEqual([]);
    const told = s.logs.find((l) => l.msg === "message delivered after its envelope was purged: no trail to record it in");
    expect(told).toMatchObject({ envelopeId: env.id, message: "voided", channel: "email" });
    expect(JSON.stringify(told)).not.toContain("a@example.com");
  });

  test("completion: signer and CC get the completion mail with their link", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Done deal",
      recipients: [{ email: "signer@example.com", name: "Signer" }, { email: "cc@example.com", name: "Watcher", role: "CC" }],
    });
    await drain(s);
    await peers.sink.waitFor(1);
    expect(peers.sink.messages.map((m) => m.to[0])).toEqual(["signer@example.com"]);
    const token = env.recipients[0].signUrl.split("/s/")[1];
    await json(await fetch(`${s.url}/api/v1/signing/${token}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: { type: "typed", value: "Signer" }, consent: true }),
    }), 200);
    await drain(s);
    await peers.sink.waitFor(3);
    const done = peers.sink.messages.slice(1);
    expect(done.map((m) => m.to[0]).sort()).toEqual(["cc@example.com", "signer@example.com"]);
    for (const m of done) {
      expect(m.subject).toBe("Completed: Done deal");
      const r = env.recipients.find((x: any) => x.email === m.to[0]);
      expect(m.text).toContain(r.signUrl);
    }
  });

  test("expiry: the timer's sweep expires a SENT envelope past its expiresAt", async () => {
    const s = await server(peers.sink.env);
    const expiresAt = new Date(s.clock.now().getTime() + 3600_000).toISOString();
    const env = await sentEnvelope(s, { subject: "Soon gone", expiresAt, recipients: [{ email: "a@example.com", name: "A" }] });
    await drain(s);
    expect((await json(await s.api(`/api/v1/envelopes/${env.id}`), 200)).status).toBe("SENT");
    s.clock.advance(3600_000);
    await drain(s);
    expect((await json(await s.api(`/api/v1/envelopes/${env.id}`), 200)).status).toBe("EXPIRED");
    expect((await audit(s, env.id)).map((e) => e.type)).toContain("envelope.expired");
  });
});

describe("reminders through the API", () => {
  test("reminderIntervalHours: reminded once per interval until they sign", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, {
      subject: "Please",
      reminderIntervalHours: 48,
      recipients: [{ email: "slow@example.com", name: "Slow" }, { email: "quick@example.com", name: "Quick" }],
    });
    await drain(s);
    await peers.sink.waitFor(2);
    // Quick signs at once.
    const quick = env.recipients.find((r: any) => r.email === "quick@example.com");
    await json(await fetch(`${s.url}/api/v1/signing/${quick.signUrl.split("/s/")[1]}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: { type: "typed", value: "Quick" }, consent: true }),
    }), 200);
    s.clock.advance(47 * 3600_000);
    await drain(s);
    expect(peers.sink.messages).toHaveLength(2);
    s.clock.advance(3600_000);
    await drain(s);
    await peers.sink.waitFor(3);
    expect(peers.sink.messages[2]!.to).toEqual(["slow@example.com"]);
    expect(peers.sink.messages[2]!.subject).toBe("Reminder: please sign: Please");
    expect(peers.sink.messages[2]!.text).toContain(env.recipients.find((r: any) => r.email === "slow@example.com").signUrl);
    await drain(s);
    s.clock.advance(24 * 3600_000);
    await drain(s);
    expect(peers.sink.messages).toHaveLength(3);
    s.clock.advance(24 * 3600_000);
    await drain(s);
    await peers.sink.waitFor(4);
    expect((await audit(s, env.id)).filter((e) => e.type === "recipient.reminded")).toHaveLength(2);
  });

  test("an interval under an hour, stored before bodies' numbers were checked, reminds nobody", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, { subject: "Stored long ago", reminderIntervalHours: 1, recipients: [{ email: "kept@example.com", name: "Kept" }] });
    await drain(s);
    const before = peers.sink.messages.length;
    for (const hours of [0, -5]) {
      s.deps.db.$client.query("UPDATE envelopes SET reminder_interval_hours = ? WHERE id = ?").run(hours, env.id);
      s.clock.advance(2 * 3600_000);
      await drain(s);
      await drain(s);
    }
    expect(peers.sink.messages.length).toBe(before);
    expect((await audit(s, env.id)).filter((e) => e.type === "recipient.reminded")).toHaveLength(0);
  });
});

describe("the completion e-mail", () => {
  const completeAll = async (s: TestServer, env: any) => {
    for (const r of env.recipients) {
      const token = new URL(r.signUrl).pathname.slice(3);
      await json(await fetch(`${s.url}/api/v1/signing/${token}/complete`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ signature: { type: "typed", value: r.name }, consent: true }),
      }), 200);
    }
  };

  test("goes once sealed, with the sealed PDF attached and a link that downloads it", async () => {
    const s = await server(peers.sink.env);
    const env = await sentEnvelope(s, { subject: "Offer letter", recipients: [{ email: "ana@example.com", name: "Ana Silva" }] });
    await completeAll(s, env);
    await drain(s); // the seal, which queues the completion e-mails
    await drain(s);
    const mails = await peers.sink.waitFor(1);
    const m = mails.find((x) => x.subject === "Completed: Offer letter")!;
    expect(m.text).toContain("The signed PDF is attached to this e-mail.");
    expect((await audit(s, env.id)).map((e) => e.type).filter((t) => t === "envelope.sealed" || t === "message.delivered").at(-1)).toBe("message.delivered");

    // The attachment is the sealed PDF, valid in pdfsig.
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([["Offer-letter-signed.pdf", "application/pdf"]]);
    const sealed = new Uint8Array(await (await s.api(`/api/v1/envelopes/${env.id}/signed-document`)).arrayBuffer());
    expect(Buffer.from(m.attachments[0]!.content).equals(Buffer.from(sealed))).toBe(true);
    const verdict = pdfsig(tempDir(), m.attachments[0]!.content);
    expect(verdict.at(-1)!.valid).toBe(true);

    // The link downloads the same file, as an attachment.
    const link = m.text.split(/\r?\n/).find((l) => l.includes("/signed-document?download=1"))!;
    expect(link).toStartWith(`${s.url}/api/v1/signing/`);
    expect(m.html).toContain(`href="${link}"`);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toStartWith('attachment; filename="Offer-letter-signed.pdf"');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(sealed))).toBe(true);
  });

  test("a PDF larger than notifications.attachSignedMaxMb is not attached; the link stays", async () => {
    const s = await server({ ...peers.sink.env, CERTYNEO_NOTIFICATIONS_ATTACH_SIGNED_MAX_MB: "0" });
    const env = await sentEnvelope(s, { subject: "Big one", locale: "fr", recipients: [{ email: "jean@example.fr", name: "Jean" }] });
    await completeAll(s, env);
    await drain(s); // the seal, which queues the completion e-mails
    await drain(s);
    const m = (await peers.sink.waitFor(1)).find((x) => x.subject === "Terminé : Big one")!;
    expect(m.attachments).toEqual([]);
    expect(m.text).not.toContain("joint");
    expect(m.text).toContain("Télécharger le PDF signé:");
    expect(m.text).toContain("/signed-document?download=1");
  });
});
