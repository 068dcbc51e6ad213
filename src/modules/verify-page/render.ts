// The public verification page, rendered on the server in plain words (texts.ts).
import { formatUtc } from "../../clock";
import { textDirection, type Locale } from "../../enums";
import { escapeHtml } from "../../escape-html";
import type { SignatureReport } from "../../pdf/verify";
import { VERIFY_TEXTS } from "./texts";

/** An ISO instant as people read it: "2026-11-30 19:25:40 UTC". */
const readableTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatUtc(date);
};

function page(lang: Locale, body: string): string {
  const w = VERIFY_TEXTS[lang];
  return `<!doctype html>
<html lang="${lang}" dir="${textDirection(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(w.title())}</title>
<link rel="stylesheet" href="/verify/verify.css">
</head>
<body>
<main>
<h1>${escapeHtml(w.title())}</h1>
${body}
</main>
</body>
</html>
`;
}

function form(lang: Locale, label: "submit" | "again"): string {
  const w = VERIFY_TEXTS[lang];
  return `<form method="post" action="/verify" enctype="multipart/form-data">
<label for="file">${escapeHtml(w.file())}</label>
<input id="file" name="file" type="file" accept="application/pdf,.pdf" required>
<button type="submit">${escapeHtml(w[label]())}</button>
</form>`;
}

/** The upload form. */
export const renderForm = (lang: Locale) => page(lang, `<p class="lead">${escapeHtml(VERIFY_TEXTS[lang].lead())}</p>\n${form(lang, "submit")}`);

/** A message instead of a report (a refused file, the rate limit): `sentence`, in `lang`, above the form again. */
export const renderMessage = (lang: Locale, sentence: string) =>
  page(lang, `<div class="verdict bad" role="alert"><strong>${escapeHtml(sentence)}</strong></div>\n${form(lang, "again")}`);

/**
 * A sentence as HTML, its values (names, times, authorities) each in a <bdi>: a subject such as
 * "CN=…, O=…" or a date keeps its own order inside an Arabic sentence.
 */
function isolated<A extends string[]>(sentence: (...args: A) => string, ...values: A): string {
  const marks = values.map((_, i) => `\u0000${i}\u0000`) as A;
  return escapeHtml(sentence(...marks)).replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<bdi>${escapeHtml(values[Number(i)]!)}</bdi>`);
}

const item = (cls: string, html: string) => `<li class="${cls}">${html}</li>`;

function describeSignature(lang: Locale, s: SignatureReport, n: number): string {
  const w = VERIFY_TEXTS[lang];
  const who = s.signerSubject || "?";
  const lines: string[] = [];
  lines.push(s.intact ? item("ok-text", escapeHtml(w.intact())) : item("bad-text", escapeHtml(w.broken())));
  if (s.coversWholeDocument) lines.push(item("", escapeHtml(w.whole())));
  else if (s.changesAfter.kinds.length) {
    const kinds = s.changesAfter.kinds.map((k) => w[k === "signature" ? "sig" : k]()).join(", ");
    lines.push(item(s.changesAfter.allowed ? "" : "bad-text", escapeHtml(`${w.changes(kinds)} ${s.changesAfter.allowed ? w.allowed() : w.notAllowed()}`)));
  }
  lines.push(s.trusted ? item("ok-text", isolated(w.trusted, s.chain.join(" ← "))) : item("warn-text", escapeHtml(w.untrusted())));
  const revocation = {
    good: () => item("ok-text", escapeHtml(w.good(s.revocationSources.map((x) => x.toUpperCase()).join(", ")))),
    revoked: () => item("bad-text", escapeHtml(w.revoked())),
    unknown: () => item("warn-text", escapeHtml(w.unknown())),
    "not-applicable": () => item("", escapeHtml(w.na())),
  };
  lines.push(revocation[s.revocation]());
  if (s.kind === "signature") {
    if (s.timestamp?.intact && s.timestamp.trusted && s.timestamp.time) lines.push(item("ok-text", isolated(w.provenTime, readableTime(s.timestamp.time), s.timestamp.authority)));
    else {
      if (s.timestamp) lines.push(item("warn-text", isolated(w.badTimestamp, s.timestamp.authority)));
      if (s.signingTime) lines.push(item("", isolated(w.claimedTime, readableTime(s.signingTime))));
    }
    if (s.level) lines.push(item("", escapeHtml(w.level(s.level, s.level === "B-LTA" || s.level === "B-LT"))));
  } else if (s.timestampTime) {
    lines.push(item("", isolated(w.provenTime, readableTime(s.timestampTime), who)));
  }
  if (s.byThisInstance) lines.push(item("", escapeHtml(w.thisInstance())));
  const heading = isolated(s.kind === "signature" ? w.signature : w.docTimestamp, String(n), who);
  return `<section class="signature" aria-labelledby="sig-${n}">
<h2 id="sig-${n}">${heading}</h2>
<ul>
${lines.join("\n")}
</ul>
</section>`;
}

/** The report on an uploaded PDF, a verdict first. */
export function renderReport(lang: Locale, report: { valid: boolean; trusted: boolean; signatures: SignatureReport[] }, fileName: string): string {
  const w = VERIFY_TEXTS[lang];
  const [cls, verdict] = report.signatures.length === 0
    ? ["bad", w.none()]
    : report.valid && report.trusted ? ["ok", w.validTrusted()] : report.valid ? ["warn", w.validUntrusted()] : ["bad", w.invalid()];
  return page(lang, `<p class="small"><bdi><code>${escapeHtml(fileName)}</code></bdi></p>
<div class="verdict ${cls}" role="status"><strong>${escapeHtml(verdict)}</strong></div>
${report.signatures.map((s, i) => describeSignature(lang, s, i + 1)).join("\n")}
${form(lang, "again")}`);
}
