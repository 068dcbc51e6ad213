/**
 * An e-mail made into its RFC 5322 bytes by nodemailer's MailComposer, with its Message-ID.
 * It runs on a worker thread (the pool's composeMail task, wired in instance.ts): composing
 * one cost the event loop ~1.5 ms of CPU, in nodemailer's streams and header handling.
 */
export interface MailToCompose {
  from: string | { name: string; address: string };
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The Date header, as epoch milliseconds (plain data crosses threads). */
  date: number;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
}

export interface ComposedMail {
  bytes: Uint8Array;
  messageId: string;
}

/** Turns a message into what is sent (or written to the outbox): CRLF line ends, as on the wire. */
export async function composeMail(mail: MailToCompose): Promise<ComposedMail> {
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer");
  const message = new MailComposer({
    ...mail,
    date: new Date(mail.date),
    attachments: mail.attachments?.map((a) => ({ ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) })),
  }).compile();
  const messageId = message.messageId();
  const built = await new Promise<Buffer>((resolve, reject) => message.build((error, bytes) => (error ? reject(error) : resolve(bytes))));
  return { bytes: new Uint8Array(built.buffer, built.byteOffset, built.byteLength), messageId };
}

/** How a mailer has its messages composed: on a worker thread in a running instance, here by default. */
export type Composer = (mail: MailToCompose) => Promise<ComposedMail>;
