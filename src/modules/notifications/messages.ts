/**
 * The texts of every message Certyneo sends, in English and French, as plain text and HTML
 * (e-mail) and as a short text (SMS). User-supplied strings (subject, message, names, reasons)
 * are escaped in HTML and kept on one line in headers.
 */
import { LOCALES, type Locale, type MessageKind, type RecipientRole } from "../../enums";

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
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** `en` unless the envelope asked for a language we speak. */
export function pickLocale(locale: string | null | undefined): Locale {
  const l = (locale ?? "").toLowerCase().split(/[-_]/)[0] ?? "";
  return LOCALES.find((known) => known === l) ?? "en";
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

function formatDate(d: Date, locale: Locale): string {
  const f = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
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

type Texts = (d: MessageData, date: (x: Date) => string) => Draft;

const isApprover = (d: MessageData) => d.role === "APPROVER";

const TEXTS: Record<Locale, Record<MessageKind, Texts>> = {
  en: {
    invitation: (d, date) => ({
      subject: `${isApprover(d) ? "Please review and approve" : "Please sign"}: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [`You have been asked to ${isApprover(d) ? "review and approve" : "sign"} “${oneLine(d.subject)}”.`],
      quote: d.message,
      action: d.signUrl ? { label: isApprover(d) ? "Review and approve" : "Review and sign", url: d.signUrl } : null,
      notes: [
        ...(d.expiresAt ? [`This request expires on ${date(d.expiresAt)}.`] : []),
        "This link is personal: do not forward this e-mail.",
      ],
    }),
    reminder: (d, date) => ({
      subject: `Reminder: ${isApprover(d) ? "please review and approve" : "please sign"}: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [`“${oneLine(d.subject)}” is still waiting for you to ${isApprover(d) ? "approve it" : "sign it"}.`],
      quote: d.message,
      action: d.signUrl ? { label: isApprover(d) ? "Review and approve" : "Review and sign", url: d.signUrl } : null,
      notes: [
        ...(d.expiresAt ? [`This request expires on ${date(d.expiresAt)}.`] : []),
        "This link is personal: do not forward this e-mail.",
      ],
    }),
    declined: (d) => ({
      subject: `Declined: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [
        `${d.declinedBy ? oneLine(d.declinedBy) : "A recipient"} declined to sign “${oneLine(d.subject)}”.`,
        ...(d.reason ? [`Reason given: ${d.reason}`] : []),
        "The request is closed: there is nothing more for you to do.",
      ],
      notes: [],
    }),
    voided: (d) => ({
      subject: `Cancelled: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [
        `The sender cancelled “${oneLine(d.subject)}”.`,
        ...(d.reason ? [`Reason given: ${d.reason}`] : []),
        "The signing link you received no longer works: there is nothing more for you to do.",
      ],
      notes: [],
    }),
    expired: (d) => ({
      subject: `Expired: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [
        `“${oneLine(d.subject)}” expired before everyone had signed.`,
        "The signing link you received no longer works: there is nothing more for you to do.",
      ],
      notes: [],
    }),
    completed: (d) => ({
      subject: `Completed: ${oneLine(d.subject)}`,
      greeting: `Hello ${oneLine(d.recipientName)},`,
      paragraphs: [`Everyone has signed “${oneLine(d.subject)}”.`, ...(d.attached ? ["The signed PDF is attached to this e-mail."] : [])],
      action: d.downloadUrl ? { label: "Download the signed PDF", url: d.downloadUrl } : d.signUrl ? { label: "View the signed documents", url: d.signUrl } : null,
      notes: [
        ...(d.downloadUrl && d.signUrl ? [`The signing page also has it: ${d.signUrl}`] : []),
        ...(d.signUrl ? ["This link is personal: do not forward this e-mail."] : []),
      ],
    }),
  },
  fr: {
    invitation: (d, date) => ({
      subject: `${isApprover(d) ? "Approbation demandée" : "Signature demandée"} : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [`Vous êtes invité(e) à ${isApprover(d) ? "examiner et approuver" : "signer"} « ${oneLine(d.subject)} ».`],
      quote: d.message,
      action: d.signUrl ? { label: isApprover(d) ? "Examiner et approuver" : "Consulter et signer", url: d.signUrl } : null,
      notes: [
        ...(d.expiresAt ? [`Cette demande expire le ${date(d.expiresAt)}.`] : []),
        "Ce lien vous est personnel : ne transférez pas ce message.",
      ],
    }),
    reminder: (d, date) => ({
      subject: `Rappel : ${isApprover(d) ? "approbation demandée" : "signature demandée"} : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [`« ${oneLine(d.subject)} » attend toujours votre ${isApprover(d) ? "approbation" : "signature"}.`],
      quote: d.message,
      action: d.signUrl ? { label: isApprover(d) ? "Examiner et approuver" : "Consulter et signer", url: d.signUrl } : null,
      notes: [
        ...(d.expiresAt ? [`Cette demande expire le ${date(d.expiresAt)}.`] : []),
        "Ce lien vous est personnel : ne transférez pas ce message.",
      ],
    }),
    declined: (d) => ({
      subject: `Refusé : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [
        `${d.declinedBy ? oneLine(d.declinedBy) : "Un destinataire"} a refusé de signer « ${oneLine(d.subject)} ».`,
        ...(d.reason ? [`Motif indiqué : ${d.reason}`] : []),
        "La demande est close : vous n’avez plus rien à faire.",
      ],
      notes: [],
    }),
    voided: (d) => ({
      subject: `Annulé : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [
        `L’expéditeur a annulé « ${oneLine(d.subject)} ».`,
        ...(d.reason ? [`Motif indiqué : ${d.reason}`] : []),
        "Le lien de signature que vous avez reçu ne fonctionne plus : vous n’avez plus rien à faire.",
      ],
      notes: [],
    }),
    expired: (d) => ({
      subject: `Expiré : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [
        `« ${oneLine(d.subject)} » a expiré avant que tout le monde ait signé.`,
        "Le lien de signature que vous avez reçu ne fonctionne plus : vous n’avez plus rien à faire.",
      ],
      notes: [],
    }),
    completed: (d) => ({
      subject: `Terminé : ${oneLine(d.subject)}`,
      greeting: `Bonjour ${oneLine(d.recipientName)},`,
      paragraphs: [`Tout le monde a signé « ${oneLine(d.subject)} ».`, ...(d.attached ? ["Le PDF signé est joint à ce message."] : [])],
      action: d.downloadUrl ? { label: "Télécharger le PDF signé", url: d.downloadUrl } : d.signUrl ? { label: "Voir les documents signés", url: d.signUrl } : null,
      notes: [
        ...(d.downloadUrl && d.signUrl ? [`La page de signature le propose aussi : ${d.signUrl}`] : []),
        ...(d.signUrl ? ["Ce lien vous est personnel : ne transférez pas ce message."] : []),
      ],
    }),
  },
};

const FOOTER: Record<Locale, string> = {
  en: "Sent by Certyneo electronic signature.",
  fr: "Envoyé par Certyneo, signature électronique.",
};

function draft(kind: MessageKind, locale: Locale, data: MessageData): Draft {
  return TEXTS[locale][kind](data, (d) => formatDate(d, locale));
}

function toText(d: Draft, locale: Locale): string {
  const out: string[] = [d.greeting, "", ...d.paragraphs.flatMap((p) => [p, ""])];
  if (d.quote?.trim()) out.push(...d.quote.trim().split(/\r?\n/).map((l) => `> ${l}`), "");
  if (d.action) out.push(`${d.action.label}:`, d.action.url, "");
  for (const n of d.notes) out.push(n);
  if (d.notes.length) out.push("");
  out.push("-- ", FOOTER[locale]);
  return out.join("\n") + "\n";
}

const paragraph = (s: string) =>
  `<p style="margin:0 0 16px 0">${escapeHtml(s).replace(/\r?\n/g, "<br>")}</p>`;

function toHtml(d: Draft, locale: Locale): string {
  const parts: string[] = [paragraph(d.greeting), ...d.paragraphs.map(paragraph)];
  if (d.quote?.trim()) {
    parts.push(
      `<blockquote style="margin:0 0 16px 0;padding:8px 12px;border-left:3px solid #c8ccd4;color:#333">${escapeHtml(d.quote.trim()).replace(/\r?\n/g, "<br>")}</blockquote>`,
    );
  }
  if (d.action) {
    const href = escapeHtml(d.action.url);
    parts.push(
      `<p style="margin:24px 0"><a href="${href}" style="background:#1f4fd1;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${escapeHtml(d.action.label)}</a></p>`,
      `<p style="margin:0 0 16px 0;font-size:12px;color:#555;word-break:break-all">${escapeHtml(d.action.url)}</p>`,
    );
  }
  for (const n of d.notes) parts.push(`<p style="margin:0 0 8px 0;font-size:12px;color:#555">${escapeHtml(n)}</p>`);
  parts.push(`<p style="margin:24px 0 0 0;font-size:12px;color:#888">${escapeHtml(FOOTER[locale])}</p>`);
  return [
    "<!DOCTYPE html>",
    `<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(d.subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f5f6f8;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#111">`,
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px">`,
    ...parts,
    "</div></body></html>",
  ].join("\n");
}

/** The e-mail for `kind` in `locale`: subject (one line), plain text and HTML. */
export function renderEmail(kind: MessageKind, locale: Locale, data: MessageData): RenderedEmail {
  const d = draft(kind, locale, data);
  return { subject: oneLine(d.subject), text: toText(d, locale), html: toHtml(d, locale) };
}

const clip = (s: string, n: number) => {
  const one = oneLine(s);
  return one.length <= n ? one : one.slice(0, n - 1) + "…";
};

/** The SMS for `kind` in `locale`: short, one line, with the link when there is one. */
export function renderSms(kind: MessageKind, locale: Locale, data: MessageData): string {
  const subject = clip(data.subject, 60);
  const url = data.signUrl ?? "";
  const en: Record<MessageKind, string> = {
    invitation: `${isApprover(data) ? "Please approve" : "Please sign"} "${subject}": ${url}`,
    reminder: `Reminder: ${isApprover(data) ? "please approve" : "please sign"} "${subject}": ${url}`,
    declined: `"${subject}" was declined. Nothing more to do.`,
    voided: `"${subject}" was cancelled. Nothing more to do.`,
    expired: `"${subject}" expired. Nothing more to do.`,
    completed: `"${subject}" is signed by everyone.${url ? ` ${url}` : ""}`,
  };
  const fr: Record<MessageKind, string> = {
    invitation: `${isApprover(data) ? "Approbation demandée" : "Signature demandée"} « ${subject} » : ${url}`,
    reminder: `Rappel : ${isApprover(data) ? "approbation demandée" : "signature demandée"} « ${subject} » : ${url}`,
    declined: `« ${subject} » a été refusé. Plus rien à faire.`,
    voided: `« ${subject} » a été annulé. Plus rien à faire.`,
    expired: `« ${subject} » a expiré. Plus rien à faire.`,
    completed: `« ${subject} » est signé par tous.${url ? ` ${url}` : ""}`,
  };
  return (locale === "fr" ? fr : en)[kind].trim();
}
