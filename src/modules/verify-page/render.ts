// The public verification page, rendered on the server in plain words (English, French).
import type { SignatureReport } from "../../pdf/verify";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The first language of Accept-Language the page speaks, else English. */
export function languageOf(acceptLanguage: string | null): Language {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const lang = part.trim().split(/[-_;]/)[0]!.toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(lang)) return lang as Language;
  }
  return "en";
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Words = Record<string, (...args: string[]) => string>;

const WORDS: Record<Language, Words> = {
  en: {
    title: () => "Verify a signed PDF",
    lead: () => "Choose a PDF to check its signatures. The file is checked on this server and is not kept.",
    file: () => "PDF file",
    submit: () => "Check the signatures",
    again: () => "Check another file",
    none: () => "This file carries no signature.",
    validTrusted: () => "Valid and trusted: every signature is intact and its signer is trusted.",
    validUntrusted: () => "Intact, but not trusted: the signed content is unchanged, yet this server does not trust every signer's certificate.",
    invalid: () => "Not valid: a signature is broken, or the document was changed in a way its signatures do not allow.",
    signature: (n, who) => `Signature ${n}: ${who}`,
    docTimestamp: (n, who) => `Document time-stamp ${n}: ${who}`,
    intact: () => "The signed content is intact.",
    broken: () => "The signed content was changed after signing, or the signature does not match it: this signature is broken.",
    whole: () => "It covers the whole document.",
    changes: (kinds) => `Changes were made after it: ${kinds}.`,
    allowed: () => "The document's permissions allow them.",
    notAllowed: () => "The document's permissions do not allow them.",
    trusted: (chain) => `The certificate is trusted: ${chain}.`,
    untrusted: () => "The certificate is not trusted by this server: it does not lead to a trusted root, or was not valid at the signing time.",
    good: (sources) => `It was not revoked at the signing time (checked with the ${sources} data inside the file).`,
    revoked: () => "It was REVOKED at the signing time.",
    unknown: () => "The file holds no revocation data for it.",
    na: () => "It is a self-signed certificate: there is nothing to revoke.",
    provenTime: (time, tsa) => `Signed at ${time}, proven by a time-stamp from ${tsa}.`,
    badTimestamp: (tsa) => `Its time-stamp from ${tsa} is broken or not trusted.`,
    claimedTime: (time) => `Claimed signing time: ${time} (not proven by a time-stamp).`,
    level: (level) => `Format: PAdES ${level}${level === "B-LTA" || level === "B-LT" ? " (everything needed to validate it later is in the file)" : ""}.`,
    thisInstance: () => "It was made with this server's sealing certificate.",
    dss: () => "validation data", "document-timestamp": () => "document time-stamps", sig: () => "signatures",
    "form-fill": () => "form filling", annotation: () => "annotations", other: () => "other changes to the content",
    error: (detail) => `This file could not be checked: ${detail}`,
    limited: (seconds) => `Too many checks from your address. Try again in ${seconds} seconds.`,
  },
  fr: {
    title: () => "Vérifier un PDF signé",
    lead: () => "Choisissez un PDF pour en vérifier les signatures. Le fichier est vérifié sur ce serveur et n'est pas conservé.",
    file: () => "Fichier PDF",
    submit: () => "Vérifier les signatures",
    again: () => "Vérifier un autre fichier",
    none: () => "Ce fichier ne porte aucune signature.",
    validTrusted: () => "Valide et de confiance : chaque signature est intacte et son signataire est reconnu.",
    validUntrusted: () => "Intact, mais pas de confiance : le contenu signé est inchangé, mais ce serveur ne reconnaît pas le certificat de chaque signataire.",
    invalid: () => "Non valide : une signature est rompue, ou le document a été modifié d'une façon que ses signatures n'autorisent pas.",
    signature: (n, who) => `Signature ${n} : ${who}`,
    docTimestamp: (n, who) => `Horodatage du document ${n} : ${who}`,
    intact: () => "Le contenu signé est intact.",
    broken: () => "Le contenu signé a été modifié après la signature, ou la signature ne lui correspond pas : cette signature est rompue.",
    whole: () => "Elle couvre tout le document.",
    changes: (kinds) => `Des modifications ont suivi : ${kinds}.`,
    allowed: () => "Les permissions du document les autorisent.",
    notAllowed: () => "Les permissions du document ne les autorisent pas.",
    trusted: (chain) => `Le certificat est reconnu : ${chain}.`,
    untrusted: () => "Le certificat n'est pas reconnu par ce serveur : il ne mène pas à une racine de confiance, ou n'était pas valide au moment de la signature.",
    good: (sources) => `Il n'était pas révoqué au moment de la signature (vérifié avec les données ${sources} contenues dans le fichier).`,
    revoked: () => "Il était RÉVOQUÉ au moment de la signature.",
    unknown: () => "Le fichier ne contient pas de données de révocation pour lui.",
    na: () => "C'est un certificat auto-signé : rien à révoquer.",
    provenTime: (time, tsa) => `Signé le ${time}, prouvé par un horodatage de ${tsa}.`,
    badTimestamp: (tsa) => `Son horodatage de ${tsa} est rompu ou pas reconnu.`,
    claimedTime: (time) => `Heure de signature déclarée : ${time} (non prouvée par un horodatage).`,
    level: (level) => `Format : PAdES ${level}${level === "B-LTA" || level === "B-LT" ? " (tout ce qu'il faut pour la valider plus tard est dans le fichier)" : ""}.`,
    thisInstance: () => "Elle a été faite avec le certificat de cachet de ce serveur.",
    dss: () => "données de validation", "document-timestamp": () => "horodatages du document", sig: () => "signatures",
    "form-fill": () => "remplissage de formulaire", annotation: () => "annotations", other: () => "autres modifications du contenu",
    error: (detail) => `Ce fichier n'a pas pu être vérifié : ${detail}`,
    limited: (seconds) => `Trop de vérifications depuis votre adresse. Réessayez dans ${seconds} secondes.`,
  },
};

function page(lang: Language, body: string): string {
  const w = WORDS[lang];
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(w.title!())}</title>
<link rel="stylesheet" href="/verify/verify.css">
</head>
<body>
<main>
<h1>${escape(w.title!())}</h1>
${body}
</main>
</body>
</html>
`;
}

function form(lang: Language, label: "submit" | "again"): string {
  const w = WORDS[lang];
  return `<form method="post" action="/verify" enctype="multipart/form-data">
<label for="file">${escape(w.file!())}</label>
<input id="file" name="file" type="file" accept="application/pdf,.pdf" required>
<button type="submit">${escape(w[label]!())}</button>
</form>`;
}

/** The upload form. */
export const renderForm = (lang: Language) => page(lang, `<p class="lead">${escape(WORDS[lang].lead!())}</p>\n${form(lang, "submit")}`);

/** A message instead of a report (unreadable file, rate limit). */
export const renderMessage = (lang: Language, key: "error" | "limited", arg: string) =>
  page(lang, `<div class="verdict bad" role="alert"><strong>${escape(WORDS[lang][key]!(arg))}</strong></div>\n${form(lang, "again")}`);

const item = (cls: string, text: string) => `<li class="${cls}">${escape(text)}</li>`;

function describeSignature(lang: Language, s: SignatureReport, n: number): string {
  const w = WORDS[lang];
  const who = s.signerSubject || "?";
  const lines: string[] = [];
  lines.push(s.intact ? item("ok-text", w.intact!()) : item("bad-text", w.broken!()));
  if (s.coversWholeDocument) lines.push(item("", w.whole!()));
  else if (s.changesAfter.kinds.length) {
    const kinds = s.changesAfter.kinds.map((k) => w[k === "signature" ? "sig" : k]!()).join(", ");
    lines.push(item(s.changesAfter.allowed ? "" : "bad-text", `${w.changes!(kinds)} ${s.changesAfter.allowed ? w.allowed!() : w.notAllowed!()}`));
  }
  lines.push(s.trusted ? item("ok-text", w.trusted!(s.chain.join(" ← "))) : item("warn-text", w.untrusted!()));
  const revocation = { good: () => item("ok-text", w.good!(s.revocationSources.map((x) => x.toUpperCase()).join(", "))), revoked: () => item("bad-text", w.revoked!()), unknown: () => item("warn-text", w.unknown!()), "not-applicable": () => item("", w.na!()) };
  lines.push(revocation[s.revocation]());
  if (s.kind === "signature") {
    if (s.timestamp?.intact && s.timestamp.trusted && s.timestamp.time) lines.push(item("ok-text", w.provenTime!(s.timestamp.time, s.timestamp.authority)));
    else {
      if (s.timestamp) lines.push(item("warn-text", w.badTimestamp!(s.timestamp.authority)));
      if (s.signingTime) lines.push(item("", w.claimedTime!(s.signingTime)));
    }
    if (s.level) lines.push(item("", w.level!(s.level)));
  } else if (s.timestampTime) {
    lines.push(item("", w.provenTime!(s.timestampTime, who)));
  }
  if (s.byThisInstance) lines.push(item("", w.thisInstance!()));
  const heading = s.kind === "signature" ? w.signature!(String(n), who) : w.docTimestamp!(String(n), who);
  return `<section class="signature" aria-labelledby="sig-${n}">
<h2 id="sig-${n}">${escape(heading)}</h2>
<ul>
${lines.join("\n")}
</ul>
</section>`;
}

/** The report on an uploaded PDF, a verdict first. */
export function renderReport(lang: Language, report: { valid: boolean; trusted: boolean; signatures: SignatureReport[] }, fileName: string): string {
  const w = WORDS[lang];
  const [cls, verdict] = report.signatures.length === 0
    ? ["bad", w.none!()]
    : report.valid && report.trusted ? ["ok", w.validTrusted!()] : report.valid ? ["warn", w.validUntrusted!()] : ["bad", w.invalid!()];
  return page(lang, `<p class="small"><code>${escape(fileName)}</code></p>
<div class="verdict ${cls}" role="status"><strong>${escape(verdict)}</strong></div>
${report.signatures.map((s, i) => describeSignature(lang, s, i + 1)).join("\n")}
${form(lang, "again")}`);
}
