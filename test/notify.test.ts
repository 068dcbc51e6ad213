import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { JOB_TIMEOUT_MS } from "../src/jobs/runner";
import { LOCALES } from "../src/enums";
import { MESSAGE_TEXTS } from "../src/modules/notifications/message-texts";
import { createMailer, outboxMailer, SMTP_TIMEOUTS, smtpMailer } from "../src/modules/notifications/mailer";
import { escapeHtml } from "../src/escape-html";
import { pickLocale, renderEmail, renderSms } from "../src/modules/notifications/messages";
import { createSmsSender, renderSmsBody } from "../src/modules/notifications/sms";
import { openInstance } from "../src/instance";
import { closeDatabase } from "../src/store/open";
import { fakeClock } from "./helpers/clock";
import { parseMail, startSmtpSink, type SmtpSink } from "./helpers/smtp";

const logs: any[] = [];
const log = createLogger("debug", (l) => logs.push(JSON.parse(l)));
const clock = fakeClock();
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "certyneo-notify-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const msg = {
  to: "ada@example.com",
  subject: "Contrat de travail — été 2026",
  text: "Bonjour Ada,\nhttps://sign.example/s/abc\n",
  html: "<p>Bonjour Ada, <a href=\"https://sign.example/s/abc\">signer</a></p>",
};

describe("SMTP mailer", () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  test("its timeouts add up to less than the job timeout: a stuck server fails the send, not the job", () => {
    const total = SMTP_TIMEOUTS.connectionTimeout + SMTP_TIMEOUTS.greetingTimeout + SMTP_TIMEOUTS.socketTimeout;
    expect(total).toBeLessThan(JOB_TIMEOUT_MS);
  });

  test("delivers plain text and HTML with a UTF-8 subject to a real SMTP server", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tmp(), ...sink.env, CERTYNEO_SMTP_FROM: "Acme RH <rh@acme.test>" });
    const mailer = createMailer(config, clock, log);
    expect(mailer.target).toBe(`smtp://127.0.0.1:${sink.port}`);
    const { messageId } = await mailer.send(msg);
    const [m] = await sink.waitFor(1);
    expect(m!.to).toEqual(["ada@example.com"]);
    expect(m!.from).toBe("rh@acme.test");
    expect(m!.subject).toBe(msg.subject);
    expect(m!.headers["message-id"]).toBe(messageId);
    expect(m!.headers.from).toBe("Acme RH <rh@acme.test>");
    expect(m!.headers.date).toBe(clock.now().toUTCString().replace("GMT", "+0000"));
    expect(m!.text).toContain("https://sign.example/s/abc");
    expect(m!.html).toContain('<a href="https://sign.example/s/abc">');
    expect(logs.some((l) => l.msg === "email sent" && l.to === "ada@example.com")).toBe(true);
    mailer.close?.();
  });

  test("a refused message is an error (the job runner retries it)", async () => {
    const mailer = smtpMailer(loadConfig({ ...sink.env }).smtp, clock, log);
    sink.failNext(1);
    await expect(mailer.send(msg)).rejects.toThrow(/451|temporarily/i);
    mailer.close?.();
  });

  test("an unreachable server is an error", async () => {
    const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = dead.port;
    await dead.stop(true);
    const mailer = smtpMailer(loadConfig({ CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: String(port) }).smtp, clock, log);
    await expect(mailer.send(msg)).rejects.toThrow();
  });

  test("authenticates when a user is configured", async () => {
    const authSink = await startSmtpSink({ user: "certyneo", password: "s3cret" });
    try {
      const good = smtpMailer(loadConfig({ ...authSink.env }).smtp, clock, log);
      await good.send(msg);
      await authSink.waitFor(1);
      const bad = smtpMailer(loadConfig({ ...authSink.env, CERTYNEO_SMTP_PASSWORD: "wrong" }).smtp, clock, log);
      await expect(bad.send(msg)).rejects.toThrow(/auth|Invalid/i);
      expect(authSink.messages).toHaveLength(1);
    } finally {
      await authSink.close();
    }
  });
});

describe("outbox mailer (no SMTP configured)", () => {
  test("writes a complete .eml into {dataDir}/outbox and logs it", async () => {
    const dir = tmp();
    const config = loadConfig({ CERTYNEO_DATA_DIR: dir });
    expect(config.smtp.host).toBe("");
    const mailer = createMailer(config, clock, log);
    const { messageId } = await mailer.send(msg);
    const files = readdirSync(join(dir, "outbox"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^20260115T090000Z-[0-9a-f]{8}\.eml$/);
    const raw = readFileSync(join(dir, "outbox", files[0]!), "utf8");
    expect(raw).toContain("\r\n");
    const parsed = parseMail(raw);
    expect(parsed.headers.to).toBe("ada@example.com");
    expect(parsed.headers.from).toBe("Certyneo <no-reply@localhost>");
    expect(parsed.headers["message-id"]).toBe(messageId);
    expect(parsed.headers["mime-version"]).toBe("1.0");
    expect(parsed.subject).toBe(msg.subject);
    expect(parsed.text).toContain("https://sign.example/s/abc");
    expect(parsed.html).toContain("signer</a>");
    const line = logs.find((l) => l.msg.startsWith("email written to outbox"));
    expect(line).toMatchObject({ to: "ada@example.com", subject: msg.subject, file: join(dir, "outbox", files[0]!) });
  });

  test("header line breaks in the subject cannot inject headers", async () => {
    const dir = tmp();
    const mailer = outboxMailer(dir, "Certyneo <no-reply@localhost>", clock, log);
    await mailer.send({ ...msg, subject: "Hello\r\nBcc: victim@example.com" });
    const raw = readFileSync(join(dir, readdirSync(dir)[0]!), "utf8");
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(parseMail(raw).subject).toBe("Hello Bcc: victim@example.com");
  });
});

describe("an instance's mailer", () => {
  test("composes on a PDF thread, off the event loop: the outbox holds the message whose Message-ID the send returned", async () => {
    const dir = tmp();
    const lines: any[] = [];
    const deps = await openInstance(loadConfig({ CERTYNEO_DATA_DIR: dir }), { log: createLogger("debug", (l) => lines.push(JSON.parse(l))) });
    try {
      const { messageId } = await deps.mailer.send({ ...msg, attachments: [{ filename: "a.txt", content: new TextEncoder().encode("attached"), contentType: "text/plain" }] });
      expect(lines.find((l) => l.msg === "pdf task done" && l.task === "composeMail")).toMatchObject({ ok: true });
      const files = readdirSync(join(dir, "outbox"));
      expect(files).toHaveLength(1);
      const parsed = parseMail(readFileSync(join(dir, "outbox", files[0]!), "utf8"));
      expect(parsed.headers["message-id"]).toBe(messageId);
      expect(parsed.subject).toBe(msg.subject);
      expect(parsed.text).toContain("https://sign.example/s/abc");
    } finally {
      deps.pdf.close();
      await closeDatabase(deps.db);
    }
  });
});

describe("SMS gateway", () => {
  const received: { body: string; headers: Headers }[] = [];
  let status = 200;
  let delayMs = 0;
  let gateway: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    gateway = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        received.push({ body: await req.text(), headers: req.headers });
        if (delayMs) await Bun.sleep(delayMs);
        return new Response(status < 300 ? '{"id":"sms_1"}' : "quota exceeded", { status });
      },
    });
  });
  afterAll(() => gateway.stop(true));
  afterEach(() => {
    received.length = 0;
    status = 200;
    delayMs = 0;
  });
  const smsConfig = (env: Record<string, string> = {}) =>
    loadConfig({ CERTYNEO_SMS_GATEWAY_URL: `http://127.0.0.1:${gateway.port}/send`, ...env }).sms;

  test("no gateway configured: no sender", () => {
    expect(createSmsSender(loadConfig({}).sms, log)).toBeNull();
  });

  test("posts the template with {to} and {text} JSON-escaped, and the Authorization header", async () => {
    const sms = createSmsSender(
      smsConfig({
        CERTYNEO_SMS_BODY_TEMPLATE: '{"recipient":"{to}","message":"{text}","sender":"ACME"}',
        CERTYNEO_SMS_AUTHORIZATION: "Bearer gw-key",
      }),
      log,
    )!;
    const text = 'Sign "Contrat"\nnow: https://x/s/1 {to} \\ é';
    await sms.send({ to: "+33612345678", text });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual({ recipient: "+33612345678", message: text, sender: "ACME" });
    expect(received[0]!.headers.get("authorization")).toBe("Bearer gw-key");
    expect(received[0]!.headers.get("content-type")).toBe("application/json");
  });

  test("a non-2xx answer is an error carrying the status", async () => {
    status = 503;
    const sms = createSmsSender(smsConfig(), log)!;
    await expect(sms.send({ to: "+1", text: "x" })).rejects.toThrow("SMS gateway answered HTTP 503: quota exceeded");
  });

  test("a gateway that does not answer in time is an error", async () => {
    delayMs = 500;
    const sms = createSmsSender(smsConfig({ CERTYNEO_SMS_TIMEOUT_MS: "100" }), log)!;
    await expect(sms.send({ to: "+1", text: "x" })).rejects.toThrow("no answer within 100 ms");
  });

  test("the job's signal aborts the request (the job timed out)", async () => {
    delayMs = 5_000;
    const sms = createSmsSender(smsConfig(), log)!;
    const job = new AbortController();
    setTimeout(() => job.abort(new Error("job timed out after 50 ms")), 50);
    const started = performance.now();
    await expect(sms.send({ to: "+1", text: "x" }, job.signal)).rejects.toThrow("job timed out after 50 ms");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test("a template that is not JSON once filled is refused", () => {
    expect(() => renderSmsBody("{to}:{text}", { to: "+1", text: "x" })).toThrow(/valid JSON/);
    expect(renderSmsBody('{"a":"{to}","b":"{text}"}', { to: "{text}", text: "{to}" })).toBe('{"a":"{text}","b":"{to}"}');
  });
});

describe("messages", () => {
  const data = {
    subject: 'Offer <b>"Q3"</b> & co',
    message: "Please sign before Friday.\n<script>alert(1)</script>",
    recipientName: "Ada <Lovelace>",
    role: "SIGNER" as const,
    signUrl: "https://sign.example/s/tok?a=1&b=2",
    expiresAt: new Date("2026-02-01T12:00:00Z"),
  };

  test("invitation in English: subject, message and link in text and HTML, user strings escaped", () => {
    const m = renderEmail("invitation", "en", data);
    expect(m.subject).toBe('Please sign: Offer <b>"Q3"</b> & co');
    expect(m.text).toContain("Hello Ada <Lovelace>,");
    expect(m.text).toContain("> Please sign before Friday.");
    expect(m.text).toContain("https://sign.example/s/tok?a=1&b=2");
    expect(m.text).toContain("1 February 2026");
    expect(m.html).toContain('href="https://sign.example/s/tok?a=1&amp;b=2"');
    expect(m.html).toContain("Offer &lt;b&gt;&quot;Q3&quot;&lt;/b&gt; &amp; co");
    expect(m.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("Ada &lt;Lovelace&gt;");
    expect(m.html).toContain('<html lang="en">');
  });

  test("invitation in French", () => {
    const m = renderEmail("invitation", "fr", data);
    expect(m.subject).toBe('Signature demandée : Offer <b>"Q3"</b> & co');
    expect(m.text).toContain("Bonjour Ada <Lovelace>,");
    expect(m.text).toContain("Consulter et signer");
    expect(m.text).toContain("1 février 2026");
    expect(m.html).toContain('<html lang="fr">');
  });

  test("invitation in Arabic: right to left, the quote's rule on the right", () => {
    const m = renderEmail("invitation", "ar", data);
    expect(m.subject).toBe('يُرجى التوقيع: Offer <b>"Q3"</b> & co');
    expect(m.text).toContain("مرحبًا Ada <Lovelace>،");
    expect(m.text).toContain("المراجعة والتوقيع");
    expect(m.text).toContain("فبراير");
    expect(m.html).toContain('<html lang="ar" dir="rtl">');
    expect(m.html).toContain("border-right:3px solid");
    expect(renderEmail("invitation", "fr", data).html).toContain("border-left:3px solid");
  });

  test("every language has every text, with the same placeholders as English", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const locale of LOCALES) {
      const table = MESSAGE_TEXTS[locale];
      expect(Object.keys(table).sort()).toEqual(Object.keys(MESSAGE_TEXTS.en).sort());
      for (const [key, text] of Object.entries(table)) {
        expect(text.trim().length, `${locale}.${key}`).toBeGreaterThan(0);
        expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(MESSAGE_TEXTS.en[key as keyof typeof table]));
      }
    }
  });

  test("every kind renders in every language", () => {
    for (const locale of LOCALES) {
      for (const kind of ["invitation", "reminder", "declined", "voided", "completed", "expired"] as const) {
        const m = renderEmail(kind, locale, { ...data, declinedBy: "Bob", reason: "Wrong salary" });
        expect(m.subject.length).toBeGreaterThan(5);
        expect(m.subject).not.toMatch(/[\r\n]/);
        expect(m.text.length).toBeGreaterThan(20);
        expect(renderSms(kind, locale, data)).not.toMatch(/[\r\n]/);
      }
    }
    expect(renderEmail("declined", "en", { ...data, declinedBy: "Bob", reason: "Wrong salary" }).text).toContain("Reason given: Wrong salary");
    expect(renderEmail("reminder", "fr", data).subject).toStartWith("Rappel : ");
    expect(renderEmail("invitation", "en", { ...data, role: "APPROVER" }).subject).toStartWith("Please review and approve: ");
  });

  test("SMS texts are short and carry the link", () => {
    expect(renderSms("invitation", "en", data)).toBe('Please sign "Offer <b>"Q3"</b> & co": https://sign.example/s/tok?a=1&b=2');
    expect(renderSms("invitation", "fr", { ...data, subject: "x".repeat(100) })).toContain("…");
  });

  test("locale and escaping helpers", () => {
    expect(pickLocale("fr")).toBe("fr");
    expect(pickLocale("fr-CA")).toBe("fr");
    expect(pickLocale("de-AT")).toBe("de");
    expect(pickLocale("el")).toBe("el");
    expect(pickLocale("ja")).toBe("en");
    expect(pickLocale(null)).toBe("en");
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
