// @ts-check
// Strings of the signer page, by language. Placeholders {name} are replaced by plain text:
// the page only ever puts these strings (and every value from the API) in textContent.
const EN = {
  skipToContent: "Skip to content",
  loading: "Loading…",
  signingAs: "Signing as {name} ({email})",
  approvingAs: "Approving as {name} ({email})",
  viewingAs: "Viewing as {name} ({email})",
  introSign: "Review the documents below, fill in the highlighted fields, then sign at the bottom of the page.",
  introApprove: "Review the documents below, then approve them at the bottom of the page.",
  expiresOn: "Please respond before {date}.",
  goToSignature: "Go to signature",
  goToApproval: "Go to approval",
  documentPages: "{count} pages",
  documentPage: "1 page",
  pageLabel: "{document}, page {page} of {count}",
  renderingFailed: "This document could not be displayed. You can still sign, or decline and tell the sender.",
  fieldSignature: "Signature",
  fieldInitials: "Initials",
  fieldDate: "Date",
  fieldText: "Text",
  fieldCheckbox: "Checkbox",
  fieldRequired: "{label} (required)",
  signHere: "Sign here",
  initialsHere: "Initials",
  yourSignature: "Your signature",
  yourApproval: "Your approval",
  tabType: "Type",
  tabDraw: "Draw",
  signatureMethod: "Signature method",
  typeLabel: "Type your full name",
  typedPreviewLabel: "Preview of your typed signature",
  drawHint: "Draw your signature in the box below with your finger, a pen or the mouse.",
  drawPadLabel: "Signature drawing area",
  clear: "Clear",
  consentSign: "I agree to sign these documents electronically, and that my electronic signature has the same value as my handwritten signature.",
  consentApprove: "I have reviewed these documents and I approve them electronically.",
  sign: "Sign",
  approve: "Approve",
  signing: "Signing…",
  approving: "Approving…",
  decline: "Decline",
  declining: "Declining…",
  declineTitle: "Decline to sign",
  declineIntro: "The sender and the other participants will be told that you declined, with your reason. This cannot be undone.",
  declineReason: "Reason for declining",
  cancel: "Cancel",
  confirmDecline: "Decline",
  errSummary: "Please correct the following:",
  errFieldRequired: "Fill in “{label}”.",
  errFieldCheck: "Tick “{label}”.",
  recipientLine: "{name} ({email})",
  errSignatureTyped: "Type your name to sign.",
  errSignatureDrawn: "Draw your signature, or switch to “Type”.",
  errConsent: "Tick the box to agree to sign electronically.",
  errApproveConsent: "Tick the box to confirm your approval.",
  errReason: "Give a reason for declining.",
  errServer: "The server refused the request:",
  errNetwork: "The server could not be reached. Check your connection and try again.",
  retry: "Try again",
  stateSignedTitle: "Thank you",
  stateSignedText: "Your signature has been recorded. You will receive the signed documents by e-mail once everyone has signed.",
  stateApprovedText: "Your approval has been recorded. You will receive the documents by e-mail once everyone has responded.",
  stateCompletedTitle: "All done",
  stateCompletedText: "Everyone has signed: this envelope is complete. The signed documents are sent by e-mail.",
  stateDeclinedTitle: "Declined",
  stateDeclinedSelfText: "You declined to sign. The sender has been told.",
  stateDeclinedOtherText: "This envelope was declined by a participant, so there is nothing left to sign.",
  stateVoidedTitle: "Envelope cancelled",
  stateVoidedText: "The sender cancelled this envelope. There is nothing to sign.",
  stateExpiredTitle: "This link has expired",
  stateExpiredText: "The time to sign this envelope is over. Contact the sender if you still need to sign.",
  stateWaitingTitle: "Not your turn yet",
  stateWaitingText: "Other participants must sign before you. You will receive an e-mail when it is your turn.",
  stateCcTitle: "Nothing to sign",
  stateCcText: "You receive a copy of these documents; there is nothing for you to sign.",
  stateNotFoundTitle: "Link not found",
  stateNotFoundText: "This signing link is not valid. Check that you opened the complete address from your e-mail, or contact the sender.",
  stateErrorTitle: "Something went wrong",
  stateErrorText: "The signing session could not be loaded.",
  subjectLine: "Envelope: {subject}",
  noscript: "This page needs JavaScript to display the documents and record your signature.",
};

export const STRINGS = {
  en: EN,
  // Exactly the English keys: the type check refuses a missing or a stray translation.
  fr: /** @satisfies {Record<keyof typeof EN, string>} */ ({
    skipToContent: "Aller au contenu",
    loading: "Chargement…",
    signingAs: "Signature en tant que {name} ({email})",
    approvingAs: "Approbation en tant que {name} ({email})",
    viewingAs: "Consultation en tant que {name} ({email})",
    introSign: "Lisez les documents ci-dessous, remplissez les champs en surbrillance, puis signez en bas de la page.",
    introApprove: "Lisez les documents ci-dessous, puis approuvez-les en bas de la page.",
    expiresOn: "Merci de répondre avant le {date}.",
    goToSignature: "Aller à la signature",
    goToApproval: "Aller à l’approbation",
    documentPages: "{count} pages",
    documentPage: "1 page",
    pageLabel: "{document}, page {page} sur {count}",
    renderingFailed: "Ce document n’a pas pu être affiché. Vous pouvez tout de même signer, ou refuser et prévenir l’expéditeur.",
    fieldSignature: "Signature",
    fieldInitials: "Initiales",
    fieldDate: "Date",
    fieldText: "Texte",
    fieldCheckbox: "Case à cocher",
    fieldRequired: "{label} (obligatoire)",
    signHere: "Signer ici",
    initialsHere: "Initiales",
    yourSignature: "Votre signature",
    yourApproval: "Votre approbation",
    tabType: "Saisir",
    tabDraw: "Dessiner",
    signatureMethod: "Mode de signature",
    typeLabel: "Saisissez vos nom et prénom",
    typedPreviewLabel: "Aperçu de votre signature saisie",
    drawHint: "Dessinez votre signature dans le cadre ci-dessous avec le doigt, un stylet ou la souris.",
    drawPadLabel: "Zone de dessin de la signature",
    clear: "Effacer",
    consentSign: "J’accepte de signer ces documents électroniquement, et que ma signature électronique ait la même valeur que ma signature manuscrite.",
    consentApprove: "J’ai lu ces documents et je les approuve électroniquement.",
    sign: "Signer",
    approve: "Approuver",
    signing: "Signature en cours…",
    approving: "Approbation en cours…",
    decline: "Refuser",
    declining: "Refus en cours…",
    declineTitle: "Refuser de signer",
    declineIntro: "L’expéditeur et les autres participants seront informés de votre refus et de son motif. Cette action est définitive.",
    declineReason: "Motif du refus",
    cancel: "Annuler",
    confirmDecline: "Refuser",
    errSummary: "Merci de corriger les points suivants :",
    errFieldRequired: "Remplissez « {label} ».",
    errFieldCheck: "Cochez « {label} ».",
    recipientLine: "{name} ({email})",
    errSignatureTyped: "Saisissez votre nom pour signer.",
    errSignatureDrawn: "Dessinez votre signature, ou choisissez « Saisir ».",
    errConsent: "Cochez la case pour accepter de signer électroniquement.",
    errApproveConsent: "Cochez la case pour confirmer votre approbation.",
    errReason: "Indiquez le motif de votre refus.",
    errServer: "Le serveur a refusé la demande :",
    errNetwork: "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
    retry: "Réessayer",
    stateSignedTitle: "Merci",
    stateSignedText: "Votre signature a été enregistrée. Vous recevrez les documents signés par e-mail quand tout le monde aura signé.",
    stateApprovedText: "Votre approbation a été enregistrée. Vous recevrez les documents par e-mail quand tout le monde aura répondu.",
    stateCompletedTitle: "C’est terminé",
    stateCompletedText: "Tout le monde a signé : cette enveloppe est complète. Les documents signés sont envoyés par e-mail.",
    stateDeclinedTitle: "Refusé",
    stateDeclinedSelfText: "Vous avez refusé de signer. L’expéditeur en a été informé.",
    stateDeclinedOtherText: "Un participant a refusé cette enveloppe : il n’y a plus rien à signer.",
    stateVoidedTitle: "Enveloppe annulée",
    stateVoidedText: "L’expéditeur a annulé cette enveloppe. Il n’y a rien à signer.",
    stateExpiredTitle: "Ce lien a expiré",
    stateExpiredText: "Le délai de signature de cette enveloppe est dépassé. Contactez l’expéditeur si vous devez encore signer.",
    stateWaitingTitle: "Ce n’est pas encore votre tour",
    stateWaitingText: "D’autres participants doivent signer avant vous. Vous recevrez un e-mail quand ce sera votre tour.",
    stateCcTitle: "Rien à signer",
    stateCcText: "Vous recevez une copie de ces documents ; vous n’avez rien à signer.",
    stateNotFoundTitle: "Lien introuvable",
    stateNotFoundText: "Ce lien de signature n’est pas valide. Vérifiez que vous avez ouvert l’adresse complète indiquée dans votre e-mail, ou contactez l’expéditeur.",
    stateErrorTitle: "Une erreur s’est produite",
    stateErrorText: "La session de signature n’a pas pu être chargée.",
    subjectLine: "Enveloppe : {subject}",
    noscript: "Cette page a besoin de JavaScript pour afficher les documents et enregistrer votre signature.",
  }),
};

/** @typedef {keyof typeof STRINGS} Language */
/** @typedef {keyof typeof EN} StringKey */
/** @typedef {(key: StringKey, vars?: Record<string, string | number>) => string} Translate */

export const LANGUAGES = /** @type {Language[]} */ (Object.keys(STRINGS));

/**
 * "fr-CA" -> "fr" when the page speaks it, else null.
 * @param {unknown} locale
 * @returns {Language | null}
 */
export function supported(locale) {
  const lang = String(locale || "").toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((l) => l === lang) ?? null;
}

/**
 * A translator for one language: t("key", { name }) -> plain text (falls back to English, then the key).
 * @param {Language} lang
 * @returns {Translate}
 */
export function translator(lang) {
  /** @type {Record<string, string | undefined>} */
  const table = STRINGS[lang] || STRINGS.en;
  return (key, vars) => {
    let s = table[key] ?? EN[key] ?? key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  };
}
