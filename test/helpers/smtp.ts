import { SMTPServer } from "smtp-server";

/** One message as the SMTP sink received it, with a minimal MIME parse (enough for our own mails). */
export interface ReceivedMail {
  /** Envelope sender and recipients (MAIL FROM / RCPT TO). */
  from: string;
  to: string[];
  raw: string;
  /** Header names lower-cased; values unfolded and RFC 2047-decoded. */
  headers: Record<string, string>;
  subject: string;
  text: string;
  attachments: MailAttachment[];
  html: string;
  /** When it arrived (Date.now()). */
  receivedAt: number;
}

export interface SmtpSink {
  port: number;
  host: string;
  messages: ReceivedMail[];
  /** The next `n` messages are refused with a temporary error (451) after DATA. */
  failNext(n: number): void;
  /**
   * The next message is kept and its sender left waiting for the reply to DATA until `release`
   * is called; `arrived` resolves once that message is in (the sender is mid-send).
   */
  holdNext(): { arrived: Promise<void>; release(): void };
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** CERTYNEO_* variables that point a server at this sink. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A real SMTP server on a loopback port (no TLS, no auth) that keeps what it receives. */
/** `port`: a given port (e.g. one a server was pointed at while nothing listened), else any free one. */
export async function startSmtpSink(opts: { user?: string; password?: string; port?: number } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let failures = 0;
  let hold: { arrived(): void; released: Promise<void> } | null = null;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    disabledCommands: opts.user ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !opts.user,
    logger: false,
    // No reverse DNS of 127.0.0.1 before the greeting: where the resolver does not answer, the
    // greeting waited on it past the client's timeout (CI failed so on 2026-12-01).
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (failures > 0) {
          failures--;
          const err = new Error("Mailbox temporarily unavailable") as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
          receivedAt: Date.now(),
        });
        for (const w of waiters.splice(0)) w();
        const held = hold;
        hold = null;
        if (!held) return cb();
        held.arrived();
        void held.released.then(() => cb());
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  const sink: SmtpSink = {
    port,
    host: "127.0.0.1",
    messages,
    failNext(n) {
      failures = n;
    },
    holdNext() {
      const arrived = Promise.withResolvers<void>();
      const released = Promise.withResolvers<void>();
      hold = { arrived: arrived.resolve, released: released.promise };
      return { arrived: arrived.promise, release: released.resolve };
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`SMTP sink: expected ${count} messages, got ${messages.length}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), Bun.sleep(Math.min(left, 50))]);
      }
      return messages;
    },
    env: {
      CERTYNEO_SMTP_HOST: "127.0.0.1",
      CERTYNEO_SMTP_PORT: String(port),
      ...(opts.user ? { CERTYNEO_SMTP_USER: opts.user, CERTYNEO_SMTP_PASSWORD: opts.password ?? "" } : {}),
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

// ---- minimal MIME parsing ---------------------------------------------------------------------

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const idx = raw.search(/\r?\n\r?\n/);
  const head = idx < 0 ? raw : raw.slice(0, idx);
  const body = idx < 0 ? "" : raw.slice(idx).replace(/^\r?\n\r?\n/, "");
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const c = line.indexOf(":");
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = decodeWords(line.slice(c + 1).trim());
  }
  return { headers, body };
}

function decodeQp(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=), adjacent ones joined. */
function decodeWords(v: string): string {
  return v
    .replace(/(\?=)\s+(=\?)/g, "$1$2")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _cs, enc: string, text: string) =>
      enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : decodeQp(text.replace(/_/g, " ")).toString("utf8"),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "").toLowerCase()) {
    case "quoted-printable":
      return decodeQp(body).toString("utf8");
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return body;
  }
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** Headers, subject, the text/plain and text/html parts of a (possibly multipart) message, and its attachments. */
export function parseMail(raw: string): { headers: Record<string, string>; subject: string; text: string; html: string; attachments: MailAttachment[] } {
  const { headers, body } = splitHeaders(raw);
  const out = { headers, subject: headers.subject ?? "", text: "", html: "", attachments: [] as MailAttachment[] };
  const walk = (h: Record<string, string>, b: string) => {
    const type = h["content-type"] ?? "text/plain";
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      const parts = b.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?\\r?\\n?`));
      for (const part of parts.slice(1, -1)) {
        const p = splitHeaders(part);
        walk(p.headers, p.body);
      }
    } else if (/^attachment/i.test(h["content-disposition"] ?? "")) {
      const filename = /filename="?([^";]+)"?/i.exec(h["content-disposition"]!)?.[1] ?? "";
      const content = h["content-transfer-encoding"]?.toLowerCase() === "base64" ? Buffer.from(b.replace(/\s+/g, ""), "base64") : Buffer.from(b, "latin1");
      out.attachments.push({ filename, contentType: type.split(";")[0]!.trim(), content: new Uint8Array(content) });
    } else if (/^text\/html/i.test(type)) {
      out.html ||= decodeBody(b, h["content-transfer-encoding"]);
    } else if (/^text\/plain/i.test(type)) {
      out.text ||= decodeBody(b, h["content-transfer-encoding"]);
    }
  };
  walk(headers, body);
  return out;
}
