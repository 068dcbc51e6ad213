/**
 * Every message Certyneo sends, in each language of message-texts.ts, as plain text and HTML
 * (e-mail) and as a short text (SMS). User-supplied strings (subject, message, names, reasons)
 * are escaped in HTML and kept on one line in headers.
 */
import { supportedLocale, textDirection, type Locale, type MessageKind, type RecipientRole } from "../../enums";
import { escapeHtml } from "../../escape-html";
import type { Organisation } from "../signing/branding";
import { MESSAGE_TEXTS, messageText, type MessageKey } from "./message-texts";

export type { MessageKind };


export interface MessageData {
  /** The envelope's subject, as the sender wrote it. */
  subject: string;
  /** The envelope's message to its recipients, if any. */
  message?: string | null;
  recipientName: string;
  role: RecipientRole;
  /** The recipient's personal link (invitation, reminder, completed). */
  signUrl?: string | null;
  expiresAt?: Date | null;
  /** declined: who declined. */
  declinedBy?: string | null;
  /** declined, voided: the reason given. */
  reason?: string | null;
  /** completed, once sealed: the recipient's link that downloads the sealed PDF. */
  downloadUrl?: string | null;
  /** completed: the sealed PDF is attached. */
  attached?: boolean;
  /** Who asks for the signatures (invitation). */
  sender?: { name: string; email: string } | null;
  /** The organisation's name (footer) and colour (button). */
  organisation?: Organisation;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** `en` unless the envelope asked for a language we speak. */
export const pickLocale = (locale: string | null | undefined): Locale => supportedLocale(locale) ?? "en";

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

function formatDate(d: Date, locale: Locale): string {
  const f = new Intl.DateTimeFormat(MESSAGE_TEXTS[locale].dateLocale, {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "UTC",
  });
  return `${f.format(d)} UTC`;
}

/**
 * One message as blocks: paragraphs of text (user strings marked so HTML can escape them), an
 * optional call-to-action link, and a footer.
 */
interface Draft {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** The sender's own message, quoted as is. */
  quote?: string | null;
  action?: { label: string; url: string } | null;
  notes: string[];
}

function draft(kind: MessageKind, locale: Locale, d: MessageData): Draft {
  const T = (key: MessageKey, vars?: Record<string, string>) => messageText(locale, key, vars);
  const subject = oneLine(d.subject);
  const approve = d.role === "APPROVER";
  const greeting = T("hello", { name: oneLine(d.recipientName) });
  const reason = d.reason ? [T("reason", { reason: d.reason })] : [];
  const toAct = (): Pick<Draft, "quote" | "action" | "notes"> => ({
    quote: d.message,
    action: d.signUrl ? { label: T(approve ? "actionApprove" : "actionSign"), url: d.signUrl } : null,
    notes: [...(d.expiresAt ? [T("expires", { date: formatDate(d.expiresAt, locale) })] : []), T("personal")],
  });
  switch (kind) {
    case "invitation": {
      const body = d.sender
        ? T(approve ? "bodyInvApproveFrom" : "bodyInvSignFrom", { sender: oneLine(d.sender.name), subject })
        : T(approve ? "bodyInvApprove" : "bodyInvSign", { subject });
      return { subject: T(approve ? "subjInvApprove" : "subjInvSign", { subject }), greeting, paragraphs: [body], ...toAct() };
    }
    case "reminder":
      return { subject: T(approve ? "subjRemApprove" : "subjRemSign", { subject }), greeting, paragraphs: [T(approve ? "bodyRemApprove" : "bodyRemSign", { subject })], ...toAct() };
    case "declined":
      return {
        subject: T("subjDeclined", { subject }), greeting, notes: [],
        paragraphs: [d.declinedBy ? T("bodyDeclined", { name: oneLine(d.declinedBy), subject }) : T("bodyDeclinedAnon", { subject }), ...reason, T("closed")],
      };
    case "voided":
      return { subject: T("subjVoided", { subject }), greeting, notes: [], paragraphs: [T("bodyVoided", { subject }), ...reason, T("linkDead")] };
    case "expired":
      return { subject: T("subjExpired", { subject }), greeting, notes: [], paragraphs: [T("bodyExpired", { subject }), T("linkDead")] };
    case "completed":
      return {
        subject: T("subjCompleted", { subject }),
        greeting,
        paragraphs: [T("bodyCompleted", { subject }), ...(d.attached ? [T("attached")] : [])],
        action: d.downloadUrl ? { label: T("actionDownload"), url: d.downloadUrl } : d.signUrl ? { label: T("actionView"), url: d.signUrl } : null,
        notes: [...(d.downloadUrl && d.signUrl ? [T("alsoPage", { url: d.signUrl })] : []), ...(d.signUrl ? [T("personal")] : [])],
      };
  }
}

const footerOf = (locale: Locale, org: Organisation | undefined) =>
  org && org.name !== "Certyneo" ? messageText(locale, "footerOrg", { org: oneLine(org.name) }) : messageText(locale, "footer");

function toText(d: Draft, locale: Locale, org?: Organisation): string {
  const out: string[] = [d.greeting, "", ...d.paragraphs.flatMap((p) => [p, ""])];
  if (d.quote?.trim()) out.push(...d.quote.trim().split(/\r?\n/).map((l) => `> ${l}`), "");
  if (d.action) out.push(`${d.action.label}:`, d.action.url, "");
  for (const n of d.notes) out.push(n);
  if (d.notes.length) out.push("");
  out.push("-- ", footerOf(locale, org));
  return out.join("\n") + "\n";
}

const paragraph = (s: string) =>
  `<p style="margin:0 0 16px 0">${escapeHtml(s).replace(/\r?\n/g, "<br>")}</p>`;

function toHtml(d: Draft, locale: Locale, org?: Organisation): string {
  // Physical sides, not logical CSS: many mail clients ignore border-inline-start.
  const rtl = textDirection(locale) === "rtl";
  const parts: string[] = [paragraph(d.greeting), ...d.paragraphs.map(paragraph)];
  if (d.quote?.trim()) {
    parts.push(
      `<blockquote style="margin:0 0 16px 0;padding:8px 12px;border-${rtl ? "right" : "left"}:3px solid #c8ccd4;color:#333">${escapeHtml(d.quote.trim()).replace(/\r?\n/g, "<br>")}</blockquote>`,
    );
  }
  if (d.action) {
    const href = escapeHtml(d.action.url);
    parts.push(
      `<p style="margin:24px 0"><a href="${href}" style="background:${escapeHtml(org?.colour ?? "#1f4fd1")};color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${escapeHtml(d.action.label)}</a></p>`,
      `<p style="margin:0 0 16px 0;font-size:12px;color:#555;word-break:break-all">${escapeHtml(d.action.url)}</p>`,
    );
  }
  for (const n of d.notes) parts.push(`<p style="margin:0 0 8px 0;font-size:12px;color:#555">${escapeHtml(n)}</p>`);
  parts.push(`<p style="margin:24px 0 0 0;font-size:12px;color:#888">${escapeHtml(footerOf(locale, org))}</p>`);
  return [
    "<!DOCTYPE html>",
    `<html lang="${locale}"${rtl ? ' dir="rtl"' : ""}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(d.subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f5f6f8;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#111">`,
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px">`,
    ...parts,
    "</div></body></html>",
  ].join("\n");
}

/** The e-mail for `kind` in `locale`: subject (one line), plain text and HTML. */
export function renderEmail(kind: MessageKind, locale: Locale, data: MessageData): RenderedEmail {
  return rendered(draft(kind, locale, data), locale, data.organisation);
}

function rendered(d: Draft, locale: Locale, org?: Organisation): RenderedEmail {
  return { subject: oneLine(d.subject), text: toText(d, locale, org), html: toHtml(d, locale, org) };
}

export interface SenderNoticeData {
  envelopeId: string;
  subject: string;
  senderName: string;
  declinedBy: { name: string; email: string };
  reason: string | null;
  organisation?: Organisation;
}

/** The e-mail that tells the envelope's sender a recipient declined. */
export function renderSenderDeclinedEmail(locale: Locale, d: SenderNoticeData): RenderedEmail {
  const T = (key: MessageKey, vars?: Record<string, string>) => messageText(locale, key, vars);
  const subject = oneLine(d.subject);
  return rendered({
    subject: T("subjDeclined", { subject }),
    greeting: T("hello", { name: oneLine(d.senderName) }),
    paragraphs: [
      T("bodySenderDeclined", { name: oneLine(d.declinedBy.name), email: d.declinedBy.email, subject }),
      ...(d.reason ? [T("reason", { reason: d.reason })] : []),
    ],
    notes: [T("envelopeRef", { id: d.envelopeId })],
  }, locale, d.organisation);
}

/** The e-mail with a one-time code: nothing but the code and how long it works (no link: the signer has the page open). */
export function renderOneTimeCodeEmail(locale: Locale, d: { subject: string; recipientName: string; code: string; organisation?: Organisation }): RenderedEmail {
  const T = (key: MessageKey, vars?: Record<string, string>) => messageText(locale, key, vars);
  const subject = oneLine(d.subject);
  return rendered({
    subject: T("subjOtp", { subject }),
    greeting: T("hello", { name: oneLine(d.recipientName) }),
    paragraphs: [T("bodyOtp", { subject, code: d.code })],
    notes: [T("otpValidity")],
  }, locale, d.organisation);
}

export const renderOneTimeCodeSms = (locale: Locale, code: string): string => messageText(locale, "smsOtp", { code });

const clip = (s: string, n: number) => {
  const one = oneLine(s);
  return one.length <= n ? one : one.slice(0, n - 1) + "…";
};

const SMS: Record<MessageKind, [MessageKey, MessageKey]> = {
  invitation: ["smsInvSign", "smsInvApprove"],
  reminder: ["smsRemSign", "smsRemApprove"],
  declined: ["smsDeclined", "smsDeclined"],
  voided: ["smsVoided", "smsVoided"],
  expired: ["smsExpired", "smsExpired"],
  completed: ["smsCompleted", "smsCompleted"],
};

/** The SMS for `kind` in `locale`: short, one line, with the link when there is one. */
export function renderSms(kind: MessageKind, locale: Locale, data: MessageData): string {
  const url = data.signUrl ?? "";
  const text = messageText(locale, SMS[kind][data.role === "APPROVER" ? 1 : 0], { subject: clip(data.subject, 60), url });
  return (kind === "completed" && url ? `${text} ${url}` : text).trim();
}
