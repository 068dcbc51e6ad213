// @ts-check
// The signer page. Plain browser JavaScript (an ES module, no framework, no build step),
// served by the binary at /s/assets/signer.js. It reads the token from the page's path and
// does everything through the JSON API under /api/v1/signing/{token}.
//
// Security rule for this file: every value that comes from the API or the signer is put in
// the page with textContent, an attribute or a property: never innerHTML.
//
// Types: JSDoc, checked by the test suite (tsconfig.browser.json beside this file). The session and
// the request bodies are the API's own schemas (../model.ts).

/** @typedef {import("@sinclair/typebox").Static<typeof import("../model").SigningSessionSchema>} Session */
/** @typedef {import("@sinclair/typebox").Static<typeof import("../model").CompleteBody>} CompleteBody */
/** @typedef {import("@sinclair/typebox").Static<typeof import("../../envelopes/model").ReassignBody>} ReassignBody */
/** @typedef {import("@sinclair/typebox").Static<typeof import("../model").ReassignedSchema>} Reassigned */
/** @typedef {Session["fields"][number]} Field */
/** @typedef {import("./i18n.js").StringKey} StringKey */
/** @typedef {import("pdfjs-dist").PDFDocumentProxy} PdfDocument */
/** @typedef {{ width: number, height: number }} Dims */
/** @typedef {{ box: HTMLDivElement, canvas: HTMLCanvasElement, dims: Dims, renderedWidth: number, task?: import("pdfjs-dist").RenderTask | null }} PageSlot */
/** @typedef {{ doc: Session["documents"][number], section: HTMLElement, meta: HTMLElement, boxes: PageSlot[], pdf: PdfDocument | null, count: number }} DocumentView */
/** @typedef {Session["stamps"][number]} Stamp */
/** @typedef {{ field: Field, input: HTMLInputElement | HTMLButtonElement | HTMLSelectElement, wrap: HTMLDivElement, label: HTMLLabelElement, placed: boolean, radios?: HTMLInputElement[] }} FieldEntry */
/** @typedef {NonNullable<CompleteBody["signature"]>} Signature */
/** @typedef {{ text: string, target?: string }} AlertItem */
/** @typedef {{ method: string, destination?: string, locale?: string }} Authentication */

const VERSION = new URL(import.meta.url).search; // "?v=…", passed on to the other assets
const ASSETS = new URL("./", import.meta.url);
/** @param {string} name */
const asset = (name) => new URL(name, ASSETS).href;

const { LANGUAGE_NAMES, direction, supported, translator } = /** @type {typeof import("./i18n.js")} */ (await import(asset("i18n.js" + VERSION)));

/**
 * The page's element with this id; the HTML always has it, of this type.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new () => T} [type]
 * @returns {T}
 */
function $(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof (type ?? HTMLElement))) throw new Error(`the page has no #${id} of the expected type`);
  return /** @type {T} */ (node);
}

/**
 * A new element: `class`, `text`, ARIA/data attributes, `role` and `for` as attributes, the rest as properties.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [props]
 * @param {(Node | null | undefined | false)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = String(v);
    else if (k === "text") node.textContent = String(v);
    else if (k.startsWith("aria-") || k.startsWith("data-") || k === "role" || k === "for") node.setAttribute(k, v === true ? "true" : String(v));
    else /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[k] = v;
  }
  for (const c of children) if (c) node.append(c);
  return node;
};

/** @param {HTMLCanvasElement} canvas */
function context2d(canvas) {
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas context");
  return ctx;
}

// Elements read as what they are (inputs, buttons, the canvas, the dialog).
const typedName = $("typed-name", HTMLInputElement);
const consent = $("consent", HTMLInputElement);
const signBtn = $("sign-btn", HTMLButtonElement);
const declineBtn = $("decline-btn", HTMLButtonElement);
const reassignBtn = $("reassign-btn", HTMLButtonElement);
const declineReason = $("decline-reason", HTMLTextAreaElement);
const declineConfirm = $("decline-confirm", HTMLButtonElement);
const dialog = $("decline-dialog", HTMLDialogElement);
const adoptDialog = $("adopt-dialog", HTMLDialogElement);
const langSelect = $("lang", HTMLSelectElement);

// ---------------------------------------------------------------------------------------
// Token, API, language

const match = /^\/s\/([^/?#]+)\/?$/.exec(location.pathname);
const TOKEN = match ? match[1] : "";
const API = "/api/v1/signing/" + TOKEN;

class ApiError extends Error {
  /**
   * @param {number} status 0 when the server could not be reached
   * @param {string} code
   * @param {string} message
   * @param {unknown} [errors] the problem's `errors`: [{ pointer, message }]
   * @param {string | null} [requestId]
   */
  constructor(status, code, message, errors = [], requestId = null, authentication = null) {
    super(message);
    this.status = status;
    this.code = code;
    /** @type {{ pointer?: string, message?: string }[]} */
    this.errors = Array.isArray(errors) ? errors : [];
    this.requestId = requestId;
    /** With signing_auth_required: how to authenticate. @type {Authentication | null} */
    this.authentication = authentication;
    /** Seconds to wait (429). @type {number} */
    this.retryAfter = 0;
  }
}

/**
 * What was thrown, as an API error: a failure of this script itself keeps its message and no status.
 * @param {unknown} e
 */
const asApiError = (e) => (e instanceof ApiError ? e : new ApiError(0, "script", e instanceof Error ? e.message : String(e)));

/**
 * One call to the signing API: GET the session, or POST an action; every answer is the session.
 * @param {string} [path]
 * @param {CompleteBody | ReassignBody | { reason: string } | { code: string } | Record<string, never>} [body]
 * @returns {Promise<Session>}
 */
async function api(path = "", body) {
  let res;
  try {
    res = await fetch(API + path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", t("errNetwork"));
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data?.code ?? "http_" + res.status, data?.message ?? data?.detail ?? `HTTP ${res.status}`, data?.errors, data?.requestId, data?.authentication ?? null);
    error.retryAfter = Number(res.headers.get("retry-after")) || 0;
    throw error;
  }
  return data;
}

/** @type {import("./i18n.js").Language} */
let lang = "en";
let t = translator("en");

/** The page's own strings name their key in data-i18n attributes. */
const keyOf = (/** @type {string | undefined} */ key) => /** @type {StringKey} */ (key ?? "");

/** @param {unknown} locale */
function setLanguage(locale) {
  lang = supported(locale) ?? "en";
  t = translator(lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = direction(lang);
  langSelect.value = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) if (node instanceof HTMLElement) node.textContent = t(keyOf(node.dataset.i18n));
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) if (node instanceof HTMLElement) node.setAttribute("aria-label", t(keyOf(node.dataset.i18nAriaLabel)));
}

/** The browser's first language the page speaks (what it sends as Accept-Language). */
function browserLocale() {
  for (const l of navigator.languages ?? [navigator.language]) if (supported(l)) return l;
  return "en";
}

const CHOSEN = "certyneo.lang";
const chosenLocale = () => {
  try {
    return supported(localStorage.getItem(CHOSEN));
  } catch {
    return null; // storage blocked: the choice lasts as long as the page
  }
};

/**
 * The signer's own choice first, then the envelope's language when the sender set one, then the browser's.
 * @param {unknown} envelopeLocale
 */
const pageLocale = (envelopeLocale) => chosenLocale() ?? supported(envelopeLocale) ?? browserLocale();

// The language switcher: every language the page speaks, each in its own name.
for (const [code, name] of Object.entries(LANGUAGE_NAMES)) langSelect.append(el("option", { value: code, lang: code, text: name }));
langSelect.addEventListener("change", () => {
  try {
    localStorage.setItem(CHOSEN, langSelect.value);
  } catch {
    /* storage blocked */
  }
  setLanguage(langSelect.value);
  relabel();
});

/** @param {string} iso */
const formatDate = (iso) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(d);
};

// ---------------------------------------------------------------------------------------
// Screens

/** @type {Session | null} */
let session = null;

/** The session the ceremony shows: set before any of its buttons can be used. */
function current() {
  if (!session) throw new Error("no signing session yet");
  return session;
}

/** The tab's title: the subject isolated, so that its own direction cannot turn the rest around. */
function pageTitle(/** @type {string} */ subject) {
  return `\u2068${subject}\u2069 – Certyneo`;
}

/** @param {"loading" | "state" | "auth" | "ceremony"} which */
function show(which) {
  $("loading").hidden = which !== "loading";
  $("state").hidden = which !== "state";
  $("auth").hidden = which !== "auth";
  $("ceremony").hidden = which !== "ceremony";
}

function hideAlert() {
  $("alert").hidden = true;
  $("alert-text").textContent = "";
  $("alert-list").replaceChildren();
}

/**
 * A visible, announced alert; each item's target is the id of an element to focus.
 * @param {string} text
 * @param {AlertItem[]} [items]
 */
function showAlert(text, items = [], focus = true) {
  $("alert-text").textContent = text;
  $("alert-list").replaceChildren(
    ...items.map((item) => {
      const id = item.target;
      if (!id) return el("li", { text: item.text });
      const a = el("a", { href: "#" + id, text: item.text });
      a.addEventListener("click", (e) => {
        e.preventDefault();
        const target = document.getElementById(id);
        target?.scrollIntoView({ block: "center" });
        target?.focus();
      });
      return el("li", {}, [a]);
    }),
  );
  $("alert").hidden = false;
  if (focus) {
    $("alert").scrollIntoView({ block: "start" });
    $("alert").focus();
  }
}

/** @type {Record<string, { icon: string, title: StringKey, text: StringKey }>} */
const STATES = {
  signed: { icon: "ok", title: "stateSignedTitle", text: "stateSignedText" },
  completed: { icon: "ok", title: "stateCompletedTitle", text: "stateCompletedText" },
  declined: { icon: "no", title: "stateDeclinedTitle", text: "stateDeclinedOtherText" },
  voided: { icon: "no", title: "stateVoidedTitle", text: "stateVoidedText" },
  expired: { icon: "clock", title: "stateExpiredTitle", text: "stateExpiredText" },
  waiting: { icon: "clock", title: "stateWaitingTitle", text: "stateWaitingText" },
  reassigned: { icon: "ok", title: "stateReassignedTitle", text: "stateReassignedText" },
  cc: { icon: "info", title: "stateCcTitle", text: "stateCcText" },
  notfound: { icon: "no", title: "stateNotFoundTitle", text: "stateNotFoundText" },
  error: { icon: "no", title: "stateErrorTitle", text: "stateErrorText" },
};

/** @typedef {{ title?: StringKey, text?: StringKey, detail?: string, detailKey?: StringKey, detailVars?: Record<string, string> }} StateOptions */

/** @type {{ kind: string, opts: StateOptions } | null} */
let shownState = null;

/** After a language switch: the screen on show, said again. */
function relabel() {
  if (!$("state").hidden && shownState) return showState(shownState.kind, shownState.opts, false);
  if (!$("auth").hidden && authShown) return labelAuth(authShown);
  if (!$("ceremony").hidden) relabelCeremony();
}

/**
 * A full-page state: signed, declined, voided, expired, waiting, completed, unknown link, error.
 * @param {string} kind
 * @param {StateOptions} [opts]
 */
function showState(kind, opts = {}, focus = true) {
  shownState = { kind, opts };
  const s = STATES[kind] ?? STATES.error;
  const role = session?.recipient?.role;
  let text = opts.text ?? s.text;
  if (!opts.text && kind === "signed" && role === "APPROVER") text = "stateApprovedText";
  if (kind === "declined" && session?.recipient?.status === "DECLINED") text = "stateDeclinedSelfText";
  $("state").dataset.state = kind;
  $("state-icon").className = "state-icon icon-" + s.icon;
  $("state-title").textContent = t(opts.title ?? s.title);
  $("state-text").textContent = t(text);
  $("state-subject").textContent = session?.envelope?.subject ? t("subjectLine", { subject: session.envelope.subject }) : "";
  $("state-detail").textContent = opts.detailKey ? t(opts.detailKey, opts.detailVars) : opts.detail ?? "";
  $("retry").hidden = kind !== "error";
  if (session?.envelope?.subject) document.title = pageTitle(session.envelope.subject);
  showSignedDocument(kind === "completed" || kind === "signed" ? session?.signedDocument ?? null : null);
  show("state");
  if (focus) $("state-title").focus();
}

// ---- the sealed PDF, once the envelope is complete ----

/** @type {ReturnType<typeof setTimeout> | undefined} */
let sealPoll;
// A light-load seal takes tens of milliseconds: the first look comes soon, later ones slow down.
let sealPollDelay = 500;

/**
 * The download of the sealed PDF: shown once sealed; while it is being sealed, the page asks again.
 * @param {Session["signedDocument"]} doc
 */
function showSignedDocument(doc) {
  clearTimeout(sealPoll);
  const block = $("signed-doc");
  block.hidden = !doc;
  if (!doc) return;
  const ready = doc.status === "SEALED";
  $("signed-doc-text").textContent = t(ready ? "signedReady" : doc.status === "FAILED" ? "signedFailed" : "signedPending");
  const link = $("signed-doc-link", HTMLAnchorElement);
  link.hidden = !ready;
  if (ready) link.href = doc.url + "?download=1"; // served as an attachment: the browser saves it under its own name
  if (doc.status === "PENDING") {
    sealPoll = setTimeout(async () => {
      sealPollDelay = Math.min(sealPollDelay * 1.5, 15000);
      try {
        const s = await api();
        if (session) session = { ...session, signedDocument: s.signedDocument };
        showSignedDocument(s.signedDocument);
      } catch {
        showSignedDocument(doc); // a network blip: ask again later
      }
    }, sealPollDelay);
  }
}

/**
 * The organisation the signer deals with: its name, logo and colour (the server's branding settings).
 * @param {Session["organisation"]} org
 */
function applyBranding(org) {
  $("brand-name").textContent = org.name;
  const logo = $("brand-logo", HTMLImageElement);
  logo.hidden = !org.logoUrl;
  if (org.logoUrl) logo.src = org.logoUrl;
  const rgb = [1, 3, 5].map((i) => parseInt(org.colour.slice(i, i + 2), 16));
  document.documentElement.style.setProperty("--brand", org.colour);
  document.documentElement.style.setProperty("--brand-dark", `rgb(${rgb.map((v) => Math.round(v * 0.8)).join(",")})`);
}

/** @param {Session} s */
function showSessionState(s, justActed = false) {
  session = s;
  if (s.organisation) applyBranding(s.organisation);
  if (s.recipient) $("recipient-line").textContent = t("recipientLine", { name: s.recipient.name ?? "", email: s.recipient.email ?? "" });
  const state = s.state;
  if ((state === "ready" || state === "waiting") && s.recipient?.role === "CC") return showState("cc");
  if (state === "ready") return startCeremony(s);
  // The last to act is not told to wait for the others.
  if (justActed && state === "completed")
    return showState("signed", { text: s.recipient?.role === "APPROVER" ? "stateApprovedLastText" : "stateSignedLastText", detailKey: "stateCompletedText" });
  const reason = (state === "voided" || state === "declined") && s.envelope.statusReason;
  if (reason) return showState(state, { detailKey: "reasonGiven", detailVars: { reason } });
  showState(STATES[state] ? state : "error", state in STATES ? {} : { detail: String(state) });
}

// ---- embedded signing ----

/**
 * Inside an integrator's app (a frame), the page tells that app what happens, with the ids:
 * only to the origins the envelope allows (the framing one when the browser says which).
 * @param {"certyneo.loaded" | "certyneo.signed" | "certyneo.declined" | "certyneo.reassigned" | "certyneo.error"} type
 */
function notifyParent(type) {
  if (window.parent === window || !session) return;
  const allowed = session.envelope.allowedOrigins ?? [];
  const framing = location.ancestorOrigins?.[0];
  const targets = framing ? allowed.filter((o) => o === framing) : allowed;
  for (const origin of targets) window.parent.postMessage({ type, envelopeId: session.envelope.id, recipientId: session.recipient.id }, origin);
}

/**
 * After signing or declining: on to the envelope's redirectUrl when it has one, saying what happened.
 * @param {"signed" | "declined"} event
 */
function redirectAfter(event) {
  const target = session?.envelope.redirectUrl;
  if (!target || !session) return;
  const url = new URL(target);
  url.searchParams.set("certyneo_event", event);
  url.searchParams.set("envelope_id", session.envelope.id);
  url.searchParams.set("recipient_id", session.recipient.id);
  location.assign(url.href);
}

async function load() {
  hideAlert();
  show("loading");
  if (!TOKEN) return showState("notfound");
  try {
    const s = await api();
    setLanguage(pageLocale(s?.envelope?.locale));
    showSessionState(s);
    notifyParent("certyneo.loaded");
  } catch (thrown) {
    const e = asApiError(thrown);
    if (e.code === "signing_auth_required" && e.authentication) {
      setLanguage(pageLocale(e.authentication.locale));
      return showAuth(e.authentication);
    }
    if (e.status === 404) return showState("notfound");
    if (e.status === 410) return showState("expired");
    showState("error", { detail: e.message + (e.requestId ? ` (${e.requestId})` : "") });
    notifyParent("certyneo.error");
  }
}

// ---------------------------------------------------------------------------------------
// Authentication: the code sent by e-mail or SMS, or the access code from the sender

/** @type {Authentication | null} */
let authShown = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let resendTimer;
const authCode = $("auth-code", HTMLInputElement);
const authSend = $("auth-send", HTMLButtonElement);

/** @param {Authentication} auth */
function labelAuth(auth) {
  const destination = auth.destination ?? "";
  const byCode = auth.method === "email_otp" || auth.method === "sms_otp";
  $("auth-text").textContent = t(auth.method === "sms_otp" ? "authSmsText" : byCode ? "authEmailText" : "authAccessText", { destination });
  $("auth-label").textContent = t(byCode ? "authCodeLabel" : "authAccessLabel");
  authCode.inputMode = byCode ? "numeric" : "text";
  authSend.hidden = !byCode;
}

/** @param {Authentication} auth */
function showAuth(auth) {
  authShown = auth;
  labelAuth(auth);
  show("auth");
  $("auth-title").focus();
}

/**
 * The resend button waits, counting down, as long as the server asks.
 * @param {number} seconds
 */
function waitBeforeResend(seconds) {
  clearInterval(resendTimer);
  let left = Math.max(0, Math.round(seconds));
  const tick = () => {
    authSend.disabled = left > 0;
    authSend.textContent = left > 0 ? t("authResendIn", { seconds: left }) : t("authResend");
    if (left-- <= 0) clearInterval(resendTimer);
  };
  tick();
  resendTimer = setInterval(tick, 1000);
}

/** @param {ApiError} e */
function authProblem(e) {
  if (e.code === "auth_locked") return t("errAuthLocked", { minutes: Math.max(1, Math.ceil(e.retryAfter / 60)) });
  if (e.code === "auth_code_invalid") return t("errAuthInvalid");
  return e.status ? `${t("errServer")} ${e.message}` : e.message;
}

authSend.addEventListener("click", async () => {
  fieldError("auth-error", "");
  authSend.disabled = true;
  try {
    const sent = /** @type {{ destination: string | null, retryAfterSeconds: number }} */ (/** @type {unknown} */ (await api("/auth/code", {})));
    $("auth-status").textContent = t("authSent", { destination: sent.destination ?? "" });
    waitBeforeResend(sent.retryAfterSeconds);
    authCode.focus();
  } catch (thrown) {
    const e = asApiError(thrown);
    fieldError("auth-error", authProblem(e));
    if (e.retryAfter) waitBeforeResend(e.retryAfter);
    else authSend.disabled = false;
  }
});

$("auth-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  fieldError("auth-error", "");
  clearInvalid(authCode);
  const code = authCode.value.trim();
  if (!code) {
    markInvalid(authCode);
    fieldError("auth-error", t("errAuthEmpty"));
    return authCode.focus();
  }
  $("auth-submit", HTMLButtonElement).disabled = true;
  try {
    const s = await api("/auth", { code });
    clearInterval(resendTimer);
    authShown = null;
    setLanguage(pageLocale(s.envelope.locale));
    showSessionState(s);
  } catch (thrown) {
    const e = asApiError(thrown);
    markInvalid(authCode);
    fieldError("auth-error", authProblem(e));
    authCode.select();
  } finally {
    $("auth-submit", HTMLButtonElement).disabled = false;
  }
});

// ---------------------------------------------------------------------------------------
// The ceremony: documents with the recipient's fields (each with its visible label) and what
// earlier signers placed, a guide from field to field, adopting a signature, consent, actions

/** @type {Map<string, FieldEntry>} */
const fieldInputs = new Map(); // by field id
const isApprover = () => session?.recipient?.role === "APPROVER";
/** The adopted signature: a typed name, or a drawn PNG as a data URL. @type {Signature | null} */
let adopted = null;
let guideStarted = false;
/** @type {string | null} */
let currentField = null;

/** @param {Session} s */
function startCeremony(s) {
  if (!typedName.value) typedName.value = s.recipient.name ?? "";
  buildDocuments(s);
  relabelCeremony();
  show("ceremony");
  renderDocuments();
}

/** Every text of the ceremony in the page's language (again after a language switch). */
function relabelCeremony() {
  const { envelope, recipient } = current();
  document.title = pageTitle(envelope.subject);
  $("subject").textContent = envelope.subject ?? "";
  $("message").textContent = envelope.message ?? "";
  $("message").hidden = !envelope.message;
  $("sender").hidden = !envelope.sender;
  if (envelope.sender) $("sender").textContent = t("sentBy", { name: `${envelope.sender.name} (${envelope.sender.email})` });
  $("recipient-line").textContent = t(isApprover() ? "approvingAs" : "signingAs", { name: recipient.name ?? "", email: recipient.email ?? "" });
  // "Start" is only offered while a required field waits: without one, the intro does not name it.
  $("intro-hint").textContent = t(isApprover() ? "introApprove" : requiredEntries().length ? "introSign" : "introSignReview");
  $("expires").hidden = !envelope.expiresAt;
  if (envelope.expiresAt) $("expires").textContent = t("expiresOn", { date: formatDate(envelope.expiresAt) });

  $("sign-title").textContent = t(isApprover() ? "yourApproval" : "yourSignature");
  $("adopted-block").hidden = isApprover();
  $("consent-label").textContent = t(isApprover() ? "consentApprove" : "consentSign");
  signBtn.textContent = t(isApprover() ? "approve" : "sign");
  // The ceremony only shows while this recipient may act: offered whenever the sender allows it.
  reassignBtn.hidden = !envelope.allowReassign;
  for (const d of docs) {
    d.meta.textContent = d.count === 1 ? t("documentPage") : t("documentPages", { count: d.count });
    d.boxes.forEach((b, i) => b.canvas.setAttribute("aria-label", t("pageLabel", { document: d.doc.name ?? "", page: i + 1, count: d.count })));
  }
  for (const entry of fieldInputs.values()) labelField(entry);
  for (const node of document.querySelectorAll(".stamp")) labelStamp(node);
  updateAdopted();
  updateGuide();
}

// ---- documents ----

/** @type {DocumentView[]} */
const docs = [];

/** @type {Record<Field["type"], StringKey>} */
const FIELD_NAMES = { signature: "fieldSignature", initials: "fieldInitials", date: "fieldDate", text: "fieldText", checkbox: "fieldCheckbox", radio: "fieldRadio", choice: "fieldChoice" };

/** @param {Field} f */
function fieldLabel(f) {
  return f.label ? String(f.label) : t(FIELD_NAMES[f.type] ?? "fieldText");
}

const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const pct = (/** @type {number} */ v) => `${Math.max(0, Math.min(100, v * 100)).toFixed(4)}%`;
const isSignatureField = (/** @type {{ type: Field["type"] }} */ f) => f.type === "signature" || f.type === "initials";
const isChoiceField = (/** @type {{ type: Field["type"] }} */ f) => f.type === "radio" || f.type === "choice";

/**
 * The box around boxes (a radio group around its buttons).
 * @param {{ x: number, y: number, width: number, height: number }[]} boxes
 */
function boxAround(boxes) {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
}

/**
 * Absolutely placed on its page: PDF points from the top-left, as percentages of the page.
 * @param {HTMLElement} node
 * @param {{ x: number, y: number, width: number, height: number }} f
 * @param {Dims} dims
 */
function place(node, f, dims) {
  node.style.left = pct(f.x / dims.width);
  node.style.top = pct(f.y / dims.height);
  node.style.width = pct(f.width / dims.width);
  node.style.height = pct(f.height / dims.height);
  node.style.setProperty("--fh", String(Math.max(6, Number(f.height) || 12)));
}

/** Labels go above their field, or below it when the field touches the top of the page. */
const LABEL_ROOM = 16;

/**
 * The visible label, and the accessible name (which says "required").
 * @param {FieldEntry} entry
 */
function labelField(entry) {
  const { field, input, label } = entry;
  const text = fieldLabel(field);
  if (label.firstChild) label.firstChild.textContent = text;
  if (input instanceof HTMLSelectElement && input.options[0]) input.options[0].textContent = t("chooseOption");
  if (isSignatureField(field)) renderSlot(entry);
  // A radio group is named as a whole; each of its buttons by its option.
  else (entry.radios ? entry.wrap : input).setAttribute("aria-label", field.required ? t("fieldRequired", { label: text }) : text);
}

/**
 * @param {Field} f
 * @param {Dims} dims
 */
function buildField(f, dims) {
  const id = "field-" + String(f.id).replace(/[^A-Za-z0-9_-]/g, "_");
  // A radio group whose buttons the form lists: one radio on each button, in a group around them.
  const buttons = f.type === "radio" ? f.buttons ?? [] : [];
  const area = buttons.length ? boxAround(buttons) : f;
  const wrap = el("div", { class: `field field-${f.type}${f.required ? " required" : ""}`, "data-field-id": f.id });
  place(wrap, area, dims);

  /** @type {HTMLInputElement | HTMLButtonElement | HTMLSelectElement} */
  let input;
  /** @type {HTMLInputElement[] | undefined} */
  let radios;
  if (isSignatureField(f)) {
    input = el("button", { type: "button", id, class: "sig-slot" });
    input.addEventListener("click", () => placeSignature(fieldInputs.get(f.id) ?? null));
  } else if (buttons.length) {
    wrap.setAttribute("role", "radiogroup");
    if (f.required) wrap.setAttribute("aria-required", "true");
    radios = buttons.map((b, i) => {
      const radio = el("input", { type: "radio", id: i ? `${id}-${i}` : id, name: id, value: b.option, checked: f.value === b.option, title: b.option, "aria-label": b.option, class: "radio-button" });
      place(radio, { x: b.x - area.x, y: b.y - area.y, width: b.width, height: b.height }, area);
      return radio;
    });
    input = radios[0];
  } else if (isChoiceField(f)) {
    // A choice field, or a radio group whose buttons are not known: its options in a list.
    input = el("select", { id, required: !!f.required }, [el("option", { value: "" }), ...(f.options ?? []).map((o) => el("option", { value: o, text: o }))]);
    input.value = f.value ?? "";
  } else if (f.type === "checkbox") {
    input = el("input", { type: "checkbox", id, checked: f.value === "true", required: !!f.required });
  } else if (f.type === "date") {
    const v = typeof f.value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(f.value) ? f.value : todayIso();
    input = el("input", { type: "date", id, value: v, required: !!f.required });
  } else {
    input = el("input", { type: "text", id, value: typeof f.value === "string" ? f.value : "", maxLength: 500, required: !!f.required, autocomplete: "off" });
  }
  const controls = radios ?? [input];
  if (f.required && !radios && input.tagName !== "BUTTON") input.setAttribute("aria-required", "true");
  for (const control of controls) {
    // Filled by the sender: shown, not editable, not sent back.
    if (f.readOnly && !(control instanceof HTMLButtonElement)) control.disabled = true;
    const changed = () => {
      clearInvalid(input);
      updateGuide();
    };
    control.addEventListener("input", changed);
    control.addEventListener("change", changed);
    control.addEventListener("focus", () => setCurrent(f.id));
  }
  // The visible label: the field's own label, or its kind; a star when it is required. (A radio
  // group's label names no one radio: clicking it must not pick an option.)
  const label = el("label", { class: `field-label${area.y < LABEL_ROOM ? " below" : ""}`, for: radios ? undefined : id, "aria-hidden": "true" },
    [document.createTextNode(""), f.required ? el("span", { class: "req", text: " *" }) : null]);
  wrap.append(label, ...controls);
  /** @type {FieldEntry} */
  const entry = { field: f, input, wrap, label, placed: false, radios };
  fieldInputs.set(f.id, entry);
  labelField(entry);
  return wrap;
}

/** What an earlier signer placed: read-only, with who placed it for screen readers. */
/** @type {WeakMap<Element, Stamp>} */
const stampOf = new WeakMap();

/** @param {Element} node */
function labelStamp(node) {
  const st = stampOf.get(node);
  if (!st) return;
  const value = st.value ?? "";
  const spoken = isSignatureField(st) || st.type === "checkbox"
    ? t(st.type === "checkbox" ? (value === "true" ? "stampChecked" : "stampUnchecked") : "stampSigned", { name: st.recipientName })
    : t("stampFilled", { name: st.recipientName, value });
  node.setAttribute("aria-label", spoken);
  if (node instanceof HTMLElement) node.title = spoken;
}

/**
 * @param {Stamp} st
 * @param {Dims} dims
 */
function buildStamp(st, dims) {
  const value = st.value ?? "";
  const signed = isSignatureField(st);
  const node = el("div", { class: `stamp stamp-${st.type}`, role: "img" });
  stampOf.set(node, st);
  labelStamp(node);
  place(node, st, dims);
  if (st.imageUrl) node.append(el("img", { src: st.imageUrl, alt: "", class: "sig-img" }));
  else if (signed) node.append(el("span", { class: "sig-typed", dir: "auto", text: value }));
  else if (st.type === "checkbox") node.append(el("span", { class: "stamp-check", text: value === "true" ? "✓" : "" }));
  else node.append(el("span", { class: "stamp-text", text: value }));
  return node;
}

/** The recipient's fields in reading order: document, page, top to bottom, left to right. */
function orderedEntries() {
  /** @type {Map<string, number>} */
  const docIndex = new Map((session?.documents ?? []).map((d, i) => [d.id, i]));
  return [...fieldInputs.values()].sort((a, b) =>
    (docIndex.get(a.field.documentId) ?? 0) - (docIndex.get(b.field.documentId) ?? 0) ||
    a.field.page - b.field.page || a.field.y - b.field.y || a.field.x - b.field.x);
}

/** @param {Session} s */
function buildDocuments(s) {
  const container = $("documents");
  container.replaceChildren();
  fieldInputs.clear();
  docs.length = 0;
  const fields = Array.isArray(s.fields) ? s.fields : [];
  const stamps = Array.isArray(s.stamps) ? s.stamps : [];
  for (const doc of s.documents ?? []) {
    const count = Number(doc.pageCount) || doc.pages?.length || 1;
    const title = el("h2", { class: "doc-title", text: doc.name ?? "" });
    const meta = el("span", { class: "doc-meta" });
    const section = el("section", { class: "document", "aria-label": doc.name ?? "" }, [el("div", { class: "doc-head" }, [title, meta])]);
    /** @type {DocumentView} */
    const entry = { doc, section, meta, boxes: [], pdf: null, count };
    for (let i = 0; i < count; i++) entry.boxes.push(buildPage(entry, i, fields, stamps));
    docs.push(entry);
    container.append(section);
  }
}

/**
 * @param {DocumentView} entry
 * @param {number} i
 * @param {Field[]} fields
 * @param {Stamp[]} stamps
 * @returns {PageSlot}
 */
function buildPage(entry, i, fields, stamps) {
  const { doc, section, count } = entry;
  const p = doc.pages?.[i];
  const dims = { width: Number(p?.width) || 595.28, height: Number(p?.height) || 841.89 };
  const canvas = el("canvas", { class: "page-canvas", role: "img", "aria-label": t("pageLabel", { document: doc.name ?? "", page: i + 1, count }) });
  const box = el("div", { class: "page", "data-page": i + 1, "aria-busy": "true" }, [canvas]);
  box.style.aspectRatio = `${dims.width} / ${dims.height}`;
  const here = (/** @type {{ documentId: string, page: number }} */ x) => x.documentId === doc.id && Number(x.page) === i + 1;
  for (const st of stamps) if (here(st)) box.append(buildStamp(st, dims));
  for (const f of fields) if (here(f)) box.append(buildField(f, dims));
  section.append(box);
  /** @type {PageSlot} */
  const slot = { box, canvas, dims, renderedWidth: 0 };
  scaleObserver.observe(box);
  return slot;
}

/** Field text follows the page's displayed size: --k is CSS pixels per PDF point. */
const scaleObserver = new ResizeObserver((entries) => {
  for (const e of entries) {
    const slot = docs.flatMap((d) => d.boxes).find((b) => b.box === e.target);
    if (slot && e.target instanceof HTMLElement) e.target.style.setProperty("--k", String(e.contentRect.width / slot.dims.width));
    for (const node of e.target.querySelectorAll(".sig-typed")) if (node instanceof HTMLElement) fitToBox(node);
  }
  scheduleRerender();
});

/**
 * A typed signature or initials as large as its box allows and never wider: a long name on a
 * phone shrinks instead of being clipped, short initials fill a small box.
 */
/** @param {HTMLElement} node */
function fitToBox(node) {
  const box = node.parentElement;
  const width = (box?.clientWidth ?? 0) * 0.94;
  const height = box?.clientHeight;
  if (!width || !height) return;
  let size = height * 0.62;
  node.style.fontSize = size + "px";
  const natural = node.getBoundingClientRect().width;
  if (natural > width) node.style.fontSize = (size * width) / natural + "px";
}
/** @type {typeof import("pdfjs-dist") | null} */
let pdfjs = null;
async function loadPdfjs() {
  if (!pdfjs) {
    pdfjs = /** @type {typeof import("pdfjs-dist")} */ (await import(asset("pdf.min.mjs" + VERSION)));
    pdfjs.GlobalWorkerOptions.workerSrc = asset("pdf.worker.min.mjs" + VERSION);
  }
  return pdfjs;
}

/**
 * Options that keep pdf.js on this server: its data files come from /s/assets/pdfjs/, never a CDN.
 * @param {string} url
 * @returns {import("pdfjs-dist/types/src/display/api").DocumentInitParameters}
 */
const pdfOptions = (url) => ({
  url,
  cMapUrl: asset("pdfjs/cmaps/"),
  cMapPacked: true,
  standardFontDataUrl: asset("pdfjs/standard_fonts/"),
  wasmUrl: asset("pdfjs/wasm/"),
  iccUrl: asset("pdfjs/iccs/"),
  isEvalSupported: false,
  enableXfa: false,
  withCredentials: false,
});

let renderGeneration = 0;

async function renderDocuments() {
  const generation = ++renderGeneration;
  let lib;
  try {
    lib = await loadPdfjs();
  } catch (e) {
    console.error("pdf.js failed to load", e);
    for (const d of docs) markFailed(d);
    return;
  }
  for (const d of docs) {
    if (generation !== renderGeneration) return;
    try {
      if (!d.pdf) d.pdf = await lib.getDocument(pdfOptions(new URL(d.doc.url, location.href).href)).promise;
      const pdf = d.pdf;
      // The PDF is the truth about its page count.
      while (d.boxes.length < pdf.numPages) d.boxes.push(buildPage(d, d.boxes.length, [], []));
      while (d.boxes.length > pdf.numPages) d.boxes.pop()?.box.remove();
      for (let i = 0; i < d.boxes.length; i++) {
        if (generation !== renderGeneration) return;
        await renderPage(d, pdf, i);
      }
    } catch (e) {
      const cancelled = /** @type {{ name?: unknown } | null | undefined} */ (e)?.name === "RenderingCancelledException";
      if (generation !== renderGeneration || cancelled) return; // a newer render took over
      console.warn("could not render", d.doc?.id, e);
      markFailed(d);
    }
  }
  if (generation === renderGeneration) $("documents").dataset.rendered = "true";
}

/**
 * Canvas memory is limited (a few hundred MB on phones), and every page stays rendered: all pages
 * share a pixel budget, so a long document gets lower-resolution pages rather than a crashed tab.
 */
const PIXEL_BUDGET = 32_000_000;
const pageCount = () => docs.reduce((n, d) => n + d.boxes.length, 0);

/**
 * @param {DocumentView} d
 * @param {PdfDocument} pdf
 * @param {number} i
 */
async function renderPage(d, pdf, i) {
  const slot = d.boxes[i];
  const page = await pdf.getPage(i + 1);
  const base = page.getViewport({ scale: 1 });
  const cssWidth = slot.box.clientWidth || base.width;
  const cssScale = cssWidth / base.width;
  const budgetScale = Math.sqrt(PIXEL_BUDGET / Math.max(1, pageCount()) / (base.width * base.height));
  const dpr = Math.max(1, Math.min(window.devicePixelRatio || 1, 3, budgetScale / cssScale));
  const scale = Math.min(cssScale * dpr, 4096 / Math.max(base.width, base.height));
  const viewport = page.getViewport({ scale });
  const canvas = slot.canvas;
  if (slot.task) {
    slot.task.cancel();
    await slot.task.promise.catch(() => {});
  }
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  slot.task = page.render({ canvas, canvasContext: context2d(canvas), viewport });
  try {
    await slot.task.promise;
  } finally {
    slot.task = null;
  }
  slot.renderedWidth = cssWidth;
  canvas.dataset.rendered = "true";
  slot.box.setAttribute("aria-busy", "false");
  page.cleanup();
}

/** @param {DocumentView} d */
function markFailed(d) {
  if (d.section.querySelector(".doc-error")) return;
  d.section.insertBefore(el("p", { class: "doc-error", role: "status", text: t("renderingFailed") }), d.section.children[1] ?? null);
  for (const b of d.boxes) b.box.setAttribute("aria-busy", "false");
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let rerenderTimer;
/** After a big width change (a phone rotated), render again so pages stay sharp. */
function scheduleRerender() {
  clearTimeout(rerenderTimer);
  rerenderTimer = setTimeout(() => {
    const stale = docs.some((d) => d.boxes.some((b) => b.renderedWidth && Math.abs(b.box.clientWidth - b.renderedWidth) / b.renderedWidth > 0.25));
    if (stale) renderDocuments();
  }, 300);
}

// ---- adopting a signature ----

/** @typedef {"type" | "draw"} Method */
/** @type {Method} */
let method = "type";

/** @param {Method} m */
function selectMethod(m, focus = false) {
  method = m;
  /** @type {[Method, HTMLElement, HTMLElement][]} */
  const tabs = [["type", $("tab-type"), $("pane-type")], ["draw", $("tab-draw"), $("pane-draw")]];
  for (const [name, tab, pane] of tabs) {
    const on = name === m;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    pane.hidden = !on;
    if (on && focus) tab.focus();
  }
  if (m === "draw") pad.resize();
  clearInvalid(typedName);
  fieldError("adopt-error", "");
}

for (const tab of [$("tab-type"), $("tab-draw")]) {
  tab.addEventListener("click", () => selectMethod(tab.id === "tab-draw" ? "draw" : "type"));
  tab.addEventListener("keydown", (e) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      selectMethod(method === "type" ? "draw" : "type", true);
    }
  });
}

function updateTypedPreview() {
  $("typed-preview").textContent = typedName.value.trim();
}
typedName.addEventListener("input", () => {
  updateTypedPreview();
  clearInvalid(typedName);
  fieldError("adopt-error", "");
});

/** As the server makes them (signer-rules.ts): whole characters, composed, at most 4. */
const initialsOf = (/** @type {string} */ name) =>
  name.normalize("NFC").trim().split(/[\s-]+/).filter(Boolean).map((w) => ([...w][0] ?? "").toLocaleUpperCase()).slice(0, 4).join("");

/**
 * The adopted signature as it shows on a page: the image, the typed name, or the initials.
 * @param {Field["type"]} type
 */
function signatureContent(type) {
  if (type === "signature" && adopted?.type === "drawn") return el("img", { src: adopted.value, alt: "", class: "sig-img" });
  const text = type === "initials" ? initialsOf(adopted?.type === "typed" ? adopted.value : session?.recipient?.name ?? "") : adopted?.value ?? "";
  return el("span", { class: "sig-typed", dir: "auto", text });
}

/**
 * A signature or initials box: "Sign here" until the signer places the adopted signature in it.
 * @param {FieldEntry} entry
 */
function renderSlot(entry) {
  const { field, input, placed } = entry;
  const content = placed && adopted
    ? signatureContent(field.type)
    : el("span", { class: "sig-placeholder", text: t(field.type === "initials" ? "initialsHere" : "signHere") });
  input.replaceChildren(content);
  input.classList.toggle("filled", placed);
  // The accessible name starts with what the box shows (WCAG 2.5.3, label in name).
  const label = fieldLabel(field);
  const shown = content.textContent || t("adoptedLabel");
  input.setAttribute("aria-label", `${shown}, ${field.required ? t("fieldRequired", { label }) : label}`);
  if (content.classList.contains("sig-typed")) requestAnimationFrame(() => fitToBox(content));
}

/** The field to place the signature in once adopted. @type {FieldEntry | null} */
let adoptFor = null;

/**
 * Placing a signature is one click on its box once a signature is adopted; the first click adopts one.
 * @param {FieldEntry | null} entry
 */
function placeSignature(entry) {
  if (!entry) return;
  setCurrent(entry.field.id);
  if (!adopted) return openAdopt(entry);
  entry.placed = true;
  clearInvalid(entry.input);
  renderSlot(entry);
  updateGuide();
}

/** @param {FieldEntry | null} [entry] */
function openAdopt(entry = null) {
  adoptFor = entry;
  fieldError("adopt-error", "");
  clearInvalid(typedName);
  if (!typedName.value) typedName.value = session?.recipient?.name ?? "";
  updateTypedPreview();
  adoptDialog.showModal();
  selectMethod(adopted?.type === "drawn" ? "draw" : "type");
  if (method === "type") typedName.focus();
  else $("tab-draw").focus();
}

$("adopt-open").addEventListener("click", () => openAdopt());
$("adopt-cancel").addEventListener("click", () => adoptDialog.close());

$("adopt-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const typed = typedName.value.trim();
  if (method === "type" && !typed) {
    markInvalid(typedName);
    fieldError("adopt-error", t("errSignatureTyped"));
    return typedName.focus();
  }
  if (method === "draw" && !pad.hasInk()) {
    fieldError("adopt-error", t("errSignatureDrawn"));
    return $("draw-pad").focus();
  }
  adopted = method === "draw" ? { type: "drawn", value: pad.toDataURL() } : { type: "typed", value: typed };
  adoptDialog.close();
  fieldError("signature-error", "");
  // A changed signature changes every box it was placed in.
  for (const entry of fieldInputs.values()) if (isSignatureField(entry.field)) renderSlot(entry);
  updateAdopted();
  if (adoptFor) {
    placeSignature(adoptFor);
    adoptFor.input.focus();
  } else $("adopt-open").focus();
});

/** The panel shows the adopted signature, or asks for one. */
function updateAdopted() {
  const preview = $("adopted-preview");
  preview.hidden = !adopted;
  preview.replaceChildren(...(adopted ? [signatureContent("signature")] : []));
  preview.setAttribute("role", "img");
  preview.setAttribute("aria-label", adopted ? t("adoptedLabel") : "");
  $("adopted-hint").textContent = t(adopted ? "adoptedHint" : "adoptHint");
  $("adopt-open").textContent = t(adopted ? "adoptChange" : "adoptOpen");
}

/** The drawing pad: pointer events (mouse, pen, touch), strokes kept in page-independent units. */
const pad = (() => {
  const canvas = $("draw-pad", HTMLCanvasElement);
  /** @typedef {[number, number]} Point x, y in 0..1 */
  /** @type {Point[][]} */
  const strokes = [];
  /** @type {Point[] | null} */
  let stroke = null;
  const ASPECT = 3; // width / height, as in the CSS

  /**
   * @param {{ clientX: number, clientY: number }} e
   * @returns {Point}
   */
  function point(e) {
    const r = canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} w
   * @param {number} h
   * @param {number} width of the line
   */
  function paint(ctx, w, h, width) {
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#0b2a5b";
    ctx.fillStyle = "#0b2a5b";
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const s of strokes) {
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0][0] * w, s[0][1] * h, width / 2, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0] * w, s[0][1] * h);
      for (let i = 1; i < s.length - 1; i++) {
        const mx = ((s[i][0] + s[i + 1][0]) / 2) * w;
        const my = ((s[i][1] + s[i + 1][1]) / 2) * h;
        ctx.quadraticCurveTo(s[i][0] * w, s[i][1] * h, mx, my);
      }
      const last = s[s.length - 1];
      ctx.lineTo(last[0] * w, last[1] * h);
      ctx.stroke();
    }
  }

  function redraw() {
    paint(context2d(canvas), canvas.width, canvas.height, Math.max(2, canvas.width / 220));
  }

  function resize() {
    const r = canvas.getBoundingClientRect();
    if (!r.width) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    canvas.width = Math.round(r.width * dpr);
    canvas.height = Math.round((r.width / ASPECT) * dpr);
    redraw();
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.preventDefault();
    canvas.setPointerCapture?.(e.pointerId);
    stroke = [point(e)];
    strokes.push(stroke);
    redraw();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!stroke) return;
    e.preventDefault();
    for (const ev of e.getCoalescedEvents?.() ?? [e]) stroke.push(point(ev));
    redraw();
  });
  const end = () => {
    if (!stroke) return;
    stroke = null;
    fieldError("adopt-error", "");
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("lostpointercapture", end);
  new ResizeObserver(() => resize()).observe(canvas);

  return {
    resize,
    hasInk: () => strokes.reduce((n, s) => n + s.length, 0) >= 2,
    clear() {
      strokes.length = 0;
      stroke = null;
      redraw();
    },
    /** A PNG of a fixed size whatever the screen, transparent background. */
    toDataURL() {
      const out = document.createElement("canvas");
      out.width = 900;
      out.height = 300;
      paint(context2d(out), out.width, out.height, 6);
      return out.toDataURL("image/png");
    },
  };
})();

$("draw-clear").addEventListener("click", () => pad.clear());

// ---- the guide: from one required field to the next ----

/** @param {FieldEntry} entry */
function isFilled(entry) {
  const { field, input } = entry;
  if (isSignatureField(field)) return entry.placed;
  if (entry.radios) return entry.radios.some((r) => r.checked);
  if (field.type === "checkbox") return input instanceof HTMLInputElement && input.checked;
  return !!input.value.trim();
}

const requiredEntries = () => orderedEntries().filter((e) => e.field.required);

/** @param {string} id */
function setCurrent(id) {
  currentField = id;
  for (const entry of fieldInputs.values()) entry.wrap.classList.toggle("current", entry.field.id === id);
}

/** The next required field still empty, after the current one (then from the start). */
function nextEntry() {
  const list = orderedEntries();
  const at = list.findIndex((e) => e.field.id === currentField);
  return [...list.slice(at + 1), ...list.slice(0, at + 1)].find((e) => e.field.required && !isFilled(e)) ?? null;
}

function updateGuide() {
  const required = requiredEntries();
  const done = required.filter(isFilled).length;
  $("progress").textContent = required.length ? t("progress", { done, total: required.length }) : t(isApprover() ? "progressApprove" : "progressNone");
  // Finish once every required field is filled, however the signer got there.
  $("guide-next").textContent = t(!nextEntry() ? "guideFinish" : guideStarted ? "guideNext" : "guideStart");
}

$("guide-next").addEventListener("click", () => {
  guideStarted = true;
  const next = nextEntry();
  if (next) {
    setCurrent(next.field.id);
    next.wrap.scrollIntoView({ block: "center", behavior: "smooth" });
    next.input.focus({ preventScroll: true });
  } else {
    $("sign-panel").scrollIntoView({ block: "start", behavior: "smooth" });
    (!isApprover() && !adopted ? $("adopt-open") : consent).focus({ preventScroll: true });
  }
  updateGuide();
});

// ---- validation and actions ----

/** @param {Element | null | undefined} node */
function markInvalid(node) {
  node?.setAttribute("aria-invalid", "true");
  node?.closest(".field")?.classList.add("invalid");
}
/** @param {Element | null | undefined} node */
function clearInvalid(node) {
  node?.removeAttribute("aria-invalid");
  node?.closest(".field")?.classList.remove("invalid");
}
/**
 * @param {string} id
 * @param {string} message
 */
function fieldError(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

/** The values of the fields the signer fills (signature and initials come from the signature). */
function fieldValues() {
  /** @type {Record<string, string>} */
  const values = {};
  for (const { field, input, radios } of fieldInputs.values()) {
    if (field.readOnly) continue;
    if (field.type === "checkbox") values[field.id] = input instanceof HTMLInputElement && input.checked ? "true" : "false";
    else if (isChoiceField(field)) {
      // Sent exactly as the form writes the option.
      const v = radios ? radios.find((r) => r.checked)?.value : input.value;
      if (v) values[field.id] = v;
    } else if (field.type === "text" || field.type === "date") {
      const v = input.value.trim();
      if (v) values[field.id] = v;
    }
  }
  return values;
}

function validate() {
  /** @type {AlertItem[]} */
  const problems = [];
  for (const entry of orderedEntries()) {
    const { field, input } = entry;
    clearInvalid(input);
    if (!field.required || isFilled(entry)) continue;
    markInvalid(input);
    const key = isSignatureField(field) ? "errFieldSign" : field.type === "checkbox" ? "errFieldCheck" : isChoiceField(field) ? "errFieldChoose" : "errFieldRequired";
    problems.push({ text: t(key, { label: fieldLabel(field) }), target: input.id });
  }
  fieldError("signature-error", "");
  if (!isApprover() && !adopted) {
    fieldError("signature-error", t("errAdopt"));
    problems.push({ text: t("errAdopt"), target: "adopt-open" });
  }
  fieldError("consent-error", "");
  clearInvalid(consent);
  if (!consent.checked) {
    const msg = t(isApprover() ? "errApproveConsent" : "errConsent");
    markInvalid(consent);
    fieldError("consent-error", msg);
    problems.push({ text: msg, target: "consent" });
  }
  return problems;
}

consent.addEventListener("change", () => {
  clearInvalid(consent);
  fieldError("consent-error", "");
});

/**
 * @param {boolean} on
 * @param {string} [label]
 */
function busy(on, label) {
  for (const b of [signBtn, declineBtn, reassignBtn]) b.disabled = on;
  $("sign-panel").setAttribute("aria-busy", on ? "true" : "false");
  signBtn.textContent = label ?? t(isApprover() ? "approve" : "sign");
}

/**
 * Server-side validation errors point at the inputs they are about.
 * @param {ApiError} e
 * @returns {AlertItem[]}
 */
function serverProblems(e) {
  return (e.errors ?? []).map((err) => {
    const pointer = String(err.pointer ?? "");
    let target;
    const f = /^\/fields\/(.+)$/.exec(pointer);
    if (f) {
      const id = f[1].replace(/~1/g, "/").replace(/~0/g, "~");
      const entry = fieldInputs.get(id);
      if (entry) {
        markInvalid(entry.input);
        target = entry.input.id;
      }
    } else if (pointer.startsWith("/consent")) target = "consent";
    else if (pointer.startsWith("/signature")) target = "adopt-open";
    return { text: `${err.message ?? ""}${pointer ? ` (${pointer})` : ""}`, target };
  });
}

/**
 * 409 / 410: the envelope moved on (signed elsewhere, voided, expired): show where it is now.
 * @param {ApiError} e
 */
async function afterConflict(e) {
  try {
    const s = await api();
    if (s.state !== "ready") return showSessionState(s);
  } catch (again) {
    if (asApiError(again).status === 404) return showState("notfound");
  }
  showAlert(`${t("errServer")} ${e.message}`);
}

signBtn.addEventListener("click", async () => {
  hideAlert();
  const problems = validate();
  if (problems.length) return showAlert(t("errSummary"), problems);
  /** @type {CompleteBody} */
  const body = { fields: fieldValues(), consent: true, locale: /** @type {CompleteBody["locale"]} */ (lang) };
  if (!isApprover()) {
    if (adopted) body.signature = adopted;
  }
  busy(true, t(isApprover() ? "approving" : "signing"));
  try {
    const s = await api("/complete", body);
    busy(false);
    showSessionState(s?.state ? s : { ...current(), state: "signed" }, true);
    notifyParent("certyneo.signed");
    redirectAfter("signed");
  } catch (thrown) {
    const e = asApiError(thrown);
    busy(false);
    if (e.status === 409 || e.status === 410) return afterConflict(e);
    if (e.status === 404) return showState("notfound");
    showAlert(e.status ? `${t("errServer")} ${e.message}` : e.message, serverProblems(e));
    notifyParent("certyneo.error");
  }
});

// ---- decline ----

declineBtn.addEventListener("click", () => {
  hideAlert();
  fieldError("decline-error", "");
  clearInvalid(declineReason);
  dialog.showModal();
  declineReason.focus();
});
$("decline-cancel").addEventListener("click", () => dialog.close());
declineReason.addEventListener("input", () => {
  clearInvalid(declineReason);
  fieldError("decline-error", "");
});

$("decline-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const reason = declineReason.value.trim();
  if (!reason) {
    markInvalid(declineReason);
    fieldError("decline-error", t("errReason"));
    declineReason.focus();
    return;
  }
  declineConfirm.disabled = true;
  declineConfirm.textContent = t("declining");
  try {
    const s = await api("/decline", { reason });
    dialog.close();
    /** @type {Session} */
    const next = s?.state ? s : { ...current(), state: "declined" };
    if (next.recipient) next.recipient = { ...next.recipient, status: "DECLINED" };
    showSessionState(next);
    notifyParent("certyneo.declined");
    redirectAfter("declined");
  } catch (thrown) {
    const err = asApiError(thrown);
    if (err.status === 409 || err.status === 410) {
      dialog.close();
      return afterConflict(err);
    }
    const details = (err.errors ?? []).map((x) => x.message).filter(Boolean).join(" ");
    fieldError("decline-error", `${err.status ? t("errServer") + " " : ""}${err.message}${details ? " " + details : ""}`);
  } finally {
    declineConfirm.disabled = false;
    declineConfirm.textContent = t("confirmDecline");
  }
});

// ---- hand this turn to someone else (when the sender allows it) ----

const reassignDialog = $("reassign-dialog", HTMLDialogElement);
const reassignConfirm = $("reassign-confirm", HTMLButtonElement);
/** The form's inputs by the body member (and server pointer) each fills. */
const reassignInputs = {
  name: $("reassign-name", HTMLInputElement),
  email: $("reassign-email", HTMLInputElement),
  reason: $("reassign-reason", HTMLTextAreaElement),
};
/** @typedef {keyof typeof reassignInputs} ReassignMember */
const REASSIGN_MEMBERS = /** @type {ReassignMember[]} */ (Object.keys(reassignInputs));
// The server checks addresses fully; this only catches typing slips before asking it.
const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/**
 * Shows (or clears, with "") the message under one input of the form.
 * @param {ReassignMember} member
 * @param {string} message
 */
function reassignError(member, message) {
  const input = reassignInputs[member];
  if (message) markInvalid(input);
  else clearInvalid(input);
  fieldError(`reassign-${member}-error`, message);
}

/**
 * What is wrong with the form, member by member (empty when it can be sent).
 * @param {ReassignBody} body
 * @returns {[ReassignMember, string][]}
 */
function reassignProblems(body) {
  /** @type {[ReassignMember, string][]} */
  const problems = [];
  if (!body.name) problems.push(["name", t("errReassignName")]);
  if (!LOOKS_LIKE_EMAIL.test(body.email)) problems.push(["email", t("errReassignEmail")]);
  else if (body.email.toLowerCase() === current().recipient.email.toLowerCase()) problems.push(["email", t("errReassignSelf")]);
  if (!body.reason) problems.push(["reason", t("errReassignReason")]);
  return problems;
}

reassignBtn.addEventListener("click", () => {
  hideAlert();
  for (const member of REASSIGN_MEMBERS) reassignError(member, "");
  fieldError("reassign-error", "");
  reassignDialog.showModal();
  reassignInputs.name.focus();
});
$("reassign-cancel").addEventListener("click", () => reassignDialog.close());
for (const member of REASSIGN_MEMBERS) reassignInputs[member].addEventListener("input", () => reassignError(member, ""));

$("reassign-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  fieldError("reassign-error", "");
  /** @type {ReassignBody} */
  const body = { name: reassignInputs.name.value.trim(), email: reassignInputs.email.value.trim(), reason: reassignInputs.reason.value.trim() };
  const problems = reassignProblems(body);
  for (const member of REASSIGN_MEMBERS) reassignError(member, problems.find(([m]) => m === member)?.[1] ?? "");
  if (problems.length) return reassignInputs[problems[0][0]].focus();
  reassignConfirm.disabled = true;
  reassignConfirm.textContent = t("reassigning");
  try {
    const done = /** @type {Reassigned} */ (/** @type {unknown} */ (await api("/reassign", body)));
    reassignDialog.close();
    notifyParent("certyneo.reassigned");
    showState("reassigned", { detailKey: "reassignedTo", detailVars: done.reassignedTo });
  } catch (thrown) {
    const err = asApiError(thrown);
    if (err.status === 409 || err.status === 410 || err.status === 404) {
      reassignDialog.close();
      return err.status === 404 ? showState("notfound") : afterConflict(err);
    }
    // The server's findings go under the inputs they are about (an address already in the envelope...).
    const unplaced = [];
    for (const problem of err.errors) {
      const member = REASSIGN_MEMBERS.find((m) => problem.pointer === "/" + m);
      if (member) reassignError(member, problem.message ?? "");
      else unplaced.push(problem.message);
    }
    const first = REASSIGN_MEMBERS.find((m) => reassignInputs[m].getAttribute("aria-invalid") === "true");
    fieldError("reassign-error", `${err.status ? t("errServer") + " " : ""}${err.message}${unplaced.length ? " " + unplaced.join(" ") : ""}`);
    if (first) reassignInputs[first].focus();
  } finally {
    reassignConfirm.disabled = false;
    reassignConfirm.textContent = t("reassignConfirm");
  }
});

$("retry").addEventListener("click", () => load());

// ---------------------------------------------------------------------------------------

setLanguage(pageLocale(null));
load();
