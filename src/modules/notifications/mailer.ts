import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Transporter } from "nodemailer";
import type { Clock } from "../../clock";
import type { Config } from "../../config";
import type { Logger } from "../../log";
import { writeFileAtomic, writeFileOnce } from "../../store/files";
import { composeMail, type Composer } from "./compose-mail";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * A stable id of this message (its delivery job's): a run repeated after a crash carries the
   * same one, and the outbox keeps the message once.
   */
  id?: string;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
  /** Where replies go: the envelope's sender, over the branding's reply-to. */
  replyTo?: string;
}

/** The From (and Reply-To) of every message, read when it is sent (the console may change it). */
export type Sender = () => Promise<{ from: string | { name: string; address: string }; replyTo?: string }>;

/** Sends one e-mail. Passed in through Deps, so tests and deployments can swap it. */
export interface Mailer {
  send(msg: MailMessage): Promise<{ messageId: string }>;
  /** Where messages go, for logs and diagnostics: "smtp://host:port" or the outbox folder. */
  readonly target?: string;
  close?(): void;
}

/** Header values never carry line breaks (nodemailer encodes them anyway; this keeps them readable). */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").trim();

/** The message as composed (on a worker thread in a running instance): From and Reply-To as the sender has them now, a message's own reply-to first. */
async function composed(msg: MailMessage, sender: Sender, compose: Composer, date: Date) {
  const identity = await sender();
  return compose({
    ...identity,
    ...(msg.replyTo ? { replyTo: msg.replyTo } : {}),
    to: msg.to,
    subject: oneLine(msg.subject),
    text: msg.text,
    html: msg.html,
    date: date.getTime(),
    attachments: msg.attachments,
  }).then((mail) => ({ ...mail, from: identity.from }));
}

/**
 * nodemailer's waits on the SMTP server. Their sum stays below the job timeout (JOB_TIMEOUT_MS in
 * jobs/runner.ts): a server that stops answering fails the send while the job still runs, rather
 * than the send going on behind a timed-out job and racing its retry.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as const;

/** A nodemailer transport made on the first message: nodemailer is a tenth of a cold start otherwise. */
function lazyTransport(options: Parameters<typeof import("nodemailer").createTransport>[0]) {
  let made: Transporter | null = null;
  let making: Promise<Transporter> | null = null;
  return {
    get: () => (making ??= import("nodemailer").then((m) => (made = m.default.createTransport(options)))),
    close: () => made?.close(),
  };
}

/** SMTP through nodemailer: implicit TLS when `secure`, otherwise STARTTLS when the server offers it. */
export function smtpMailer(smtp: Config["smtp"], clock: Clock, log: Logger, sender: Sender = async () => ({ from: smtp.from }), compose: Composer = composeMail): Mailer {
  const transport = lazyTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    ...SMTP_TIMEOUTS,
  });
  const target = `smtp://${smtp.host}:${smtp.port}`;
  return {
    target,
    async send(msg) {
      const mail = await composed(msg, sender, compose, clock.now());
      // Sent as composed: from and to make the SMTP envelope only.
      await (await transport.get()).sendMail({ from: mail.from, to: msg.to, raw: Buffer.from(mail.bytes.buffer, mail.bytes.byteOffset, mail.bytes.byteLength) });
      log.info("email sent", { to: msg.to, subject: oneLine(msg.subject), messageId: mail.messageId, smtp: target });
      return { messageId: mail.messageId };
    },
    close() {
      transport.close();
    },
  };
}

/**
 * The embedded default when no SMTP server is configured: each message is written, complete
 * (RFC 5322, as it would have been sent), to `dir` as an .eml file any mail client opens, and logged.
 * The file appears under its final name only once fully written (temp file, fsync, rename).
 */
export function outboxMailer(dir: string, from: string, clock: Clock, log: Logger, sender: Sender = async () => ({ from }), compose: Composer = composeMail): Mailer {
  return {
    target: dir,
    async send(msg) {
      const now = clock.now();
      const { bytes, messageId } = await composed(msg, sender, compose, now);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
      const file = join(dir, msg.id ? `${msg.id}.eml` : `${stamp}-${crypto.randomUUID().slice(0, 8)}.eml`);
      if (!msg.id) await writeFileAtomic(file, [bytes]);
      else if (!(await writeFileOnce(file, bytes))) {
        log.info("email already in the outbox (a repeated run)", { to: msg.to, file });
        return { messageId };
      }
      log.info("email written to outbox (no SMTP server configured)", { to: msg.to, subject: oneLine(msg.subject), file });
      return { messageId };
    },
  };
}

/** SMTP when config.smtp.host is set, otherwise the outbox folder {dataDir}/outbox. */
export function createMailer(config: Config, clock: Clock, log: Logger, sender?: Sender, compose?: Composer): Mailer {
  if (config.smtp.host) return smtpMailer(config.smtp, clock, log, sender, compose);
  return outboxMailer(join(config.dataDir, "outbox"), config.smtp.from, clock, log, sender, compose);
}
