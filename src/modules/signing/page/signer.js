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
/** @typedef {Session["fields"][number]} Field */
/** @typedef {import("./i18n.js").StringKey} StringKey */
/** @typedef {import("pdfjs-dist").PDFDocumentProxy} PdfDocument */
/** @typedef {{ width: number, height: number }} Dims */
/** @typedef {{ box: HTMLDivElement, canvas: HTMLCanvasElement, dims: Dims, renderedWidth: number, task?: import("pdfjs-dist").RenderTask | null }} PageSlot */
/** @typedef {{ doc: Session["documents"][number], section: HTMLElement, boxes: PageSlot[], pdf: PdfDocument | null, count: number }} DocumentView */
/** @typedef {{ text: string, target?: string }} AlertItem */

const VERSION = new URL(import.meta.url).search; // "?v=…", passed on to the other assets
const ASSETS = new URL("./", import.meta.url);
/** @param {string} name */
const asset = (name) => new URL(name, ASSETS).href;

const { supported, translator } = /** @type {typeof import("./i18n.js")} */ (await import(asset("i18n.js" + VERSION)));

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
const declineReason = $("decline-reason", HTMLTextAreaElement);
const declineConfirm = $("decline-confirm", HTMLButtonElement);
const dialog = $("decline-dialog", HTMLDialogElement);

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
  constructor(status, code, message, errors = [], requestId = null) {
    super(message);
    this.status = status;
    this.code = code;
    /** @type {{ pointer?: string, message?: string }[]} */
    this.errors = Array.isArray(errors) ? errors : [];
    this.requestId = requestId;
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
 * @param {CompleteBody | { reason: string }} [body]
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
    throw new ApiError(res.status, data?.code ?? "http_" + res.status, data?.message ?? data?.detail ?? `HTTP ${res.status}`, data?.errors, data?.requestId);
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
  for (const node of document.querySelectorAll("[data-i18n]")) if (node instanceof HTMLElement) node.textContent = t(keyOf(node.dataset.i18n));
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) if (node instanceof HTMLElement) node.setAttribute("aria-label", t(keyOf(node.dataset.i18nAriaLabel)));
}

/** Before the envelope says its language: the browser's first supported one. */
function browserLocale() {
  for (const l of navigator.languages ?? [navigator.language]) if (supported(l)) return l;
  return "en";
}

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

/** @param {"loading" | "state" | "ceremony"} which */
function show(which) {
  $("loading").hidden = which !== "loading";
  $("state").hidden = which !== "state";
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
  cc: { icon: "info", title: "stateCcTitle", text: "stateCcText" },
  notfound: { icon: "no", title: "stateNotFoundTitle", text: "stateNotFoundText" },
  error: { icon: "no", title: "stateErrorTitle", text: "stateErrorText" },
};

/**
 * A full-page state: signed, declined, voided, expired, waiting, completed, unknown link, error.
 * @param {string} kind
 * @param {{ title?: StringKey, detail?: string }} [opts]
 */
function showState(kind, opts = {}) {
  const s = STATES[kind] ?? STATES.error;
  const role = session?.recipient?.role;
  let text = s.text;
  if (kind === "signed" && role === "APPROVER") text = "stateApprovedText";
  if (kind === "declined" && session?.recipient?.status === "DECLINED") text = "stateDeclinedSelfText";
  $("state").dataset.state = kind;
  $("state-icon").className = "state-icon icon-" + s.icon;
  $("state-title").textContent = t(opts.title ?? s.title);
  $("state-text").textContent = t(text);
  $("state-subject").textContent = session?.envelope?.subject ? t("subjectLine", { subject: session.envelope.subject }) : "";
  $("state-detail").textContent = opts.detail ?? "";
  $("retry").hidden = kind !== "error";
  if (session?.envelope?.subject) document.title = `${session.envelope.subject} – Certyneo`;
  show("state");
  $("state-title").focus();
}

/** @param {Session} s */
function showSessionState(s, justActed = false) {
  session = s;
  if (s.recipient) $("recipient-line").textContent = t("recipientLine", { name: s.recipient.name ?? "", email: s.recipient.email ?? "" });
  const state = s.state;
  if ((state === "ready" || state === "waiting") && s.recipient?.role === "CC") return showState("cc");
  if (state === "ready") return startCeremony(s);
  if (justActed && state === "completed") return showState("signed", { detail: t("stateCompletedText") });
  showState(STATES[state] ? state : "error", state in STATES ? {} : { detail: String(state) });
}

async function load() {
  hideAlert();
  show("loading");
  if (!TOKEN) return showState("notfound");
  try {
    const s = await api();
    setLanguage(s?.envelope?.locale);
    showSessionState(s);
  } catch (thrown) {
    const e = asApiError(thrown);
    if (e.status === 404) return showState("notfound");
    if (e.status === 410) return showState("expired");
    showState("error", { detail: e.message + (e.requestId ? ` (${e.requestId})` : "") });
  }
}

// ---------------------------------------------------------------------------------------
// The ceremony: documents with the recipient's fields, signature capture, consent, actions

/** @type {Map<string, { field: Field, input: HTMLInputElement | HTMLButtonElement, wrap: HTMLDivElement }>} */
const fieldInputs = new Map(); // by field id
const isApprover = () => session?.recipient?.role === "APPROVER";

/** @param {Session} s */
function startCeremony(s) {
  const { envelope, recipient } = s;
  document.title = `${envelope.subject} – Certyneo`;
  $("subject").textContent = envelope.subject ?? "";
  $("message").textContent = envelope.message ?? "";
  $("message").hidden = !envelope.message;
  $("recipient-line").textContent = t(isApprover() ? "approvingAs" : "signingAs", { name: recipient.name ?? "", email: recipient.email ?? "" });
  $("intro-hint").textContent = t(isApprover() ? "introApprove" : "introSign");
  $("expires").hidden = !envelope.expiresAt;
  if (envelope.expiresAt) $("expires").textContent = t("expiresOn", { date: formatDate(envelope.expiresAt) });

  $("sign-title").textContent = t(isApprover() ? "yourApproval" : "yourSignature");
  $("jump").textContent = t(isApprover() ? "goToApproval" : "goToSignature");
  $("capture").hidden = isApprover();
  $("consent-label").textContent = t(isApprover() ? "consentApprove" : "consentSign");
  $("sign-btn").textContent = t(isApprover() ? "approve" : "sign");
  if (!typedName.value) typedName.value = recipient.name ?? "";
  updateTypedPreview();

  buildDocuments(s);
  show("ceremony");
  renderDocuments();
}

// ---- documents ----

/** @type {DocumentView[]} */
const docs = [];

/** @type {Record<Field["type"], StringKey>} */
const FIELD_NAMES = { signature: "fieldSignature", initials: "fieldInitials", date: "fieldDate", text: "fieldText", checkbox: "fieldCheckbox" };

/** @param {Field} f */
function fieldLabel(f) {
  return f.label ? String(f.label) : t(FIELD_NAMES[f.type] ?? "fieldText");
}

const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const pct = (/** @type {number} */ v) => `${Math.max(0, Math.min(100, v * 100)).toFixed(4)}%`;

/**
 * @param {Field} f
 * @param {Dims} dims
 */
function buildField(f, dims) {
  const label = fieldLabel(f);
  const accessible = f.required ? t("fieldRequired", { label }) : label;
  const id = "field-" + String(f.id).replace(/[^A-Za-z0-9_-]/g, "_");
  const wrap = el("div", { class: `field field-${f.type}${f.required ? " required" : ""}`, "data-field-id": f.id, title: label });
  wrap.style.left = pct(f.x / dims.width);
  wrap.style.top = pct(f.y / dims.height);
  wrap.style.width = pct(f.width / dims.width);
  wrap.style.height = pct(f.height / dims.height);
  wrap.style.setProperty("--fh", String(Math.max(6, Number(f.height) || 12)));

  /** @type {HTMLInputElement | HTMLButtonElement} */
  let input;
  if (f.type === "signature" || f.type === "initials") {
    input = el("button", { type: "button", id, class: "sig-slot", "aria-label": accessible }, [
      el("span", { class: "sig-placeholder", text: t(f.type === "initials" ? "initialsHere" : "signHere") }),
    ]);
    input.addEventListener("click", () => {
      $("sign-panel").scrollIntoView({ behavior: "smooth", block: "start" });
      (method === "draw" ? $("tab-draw") : typedName).focus({ preventScroll: true });
    });
  } else if (f.type === "checkbox") {
    input = el("input", { type: "checkbox", id, "aria-label": accessible, checked: f.value === "true", required: !!f.required });
  } else if (f.type === "date") {
    const v = typeof f.value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(f.value) ? f.value : todayIso();
    input = el("input", { type: "date", id, "aria-label": accessible, value: v, required: !!f.required });
  } else {
    input = el("input", { type: "text", id, "aria-label": accessible, value: typeof f.value === "string" ? f.value : "", maxLength: 500, required: !!f.required, autocomplete: "off" });
  }
  if (f.required && input.tagName === "INPUT") input.setAttribute("aria-required", "true");
  // Filled by the sender: shown, not editable, not sent back.
  if (f.readOnly && input instanceof HTMLInputElement) input.disabled = true;
  input.addEventListener("input", () => clearInvalid(input));
  input.addEventListener("change", () => clearInvalid(input));
  wrap.append(input);
  fieldInputs.set(f.id, { field: f, input, wrap });
  return wrap;
}

/** @param {Session} s */
function buildDocuments(s) {
  const container = $("documents");
  container.replaceChildren();
  fieldInputs.clear();
  docs.length = 0;
  const fields = Array.isArray(s.fields) ? s.fields : [];
  for (const doc of s.documents ?? []) {
    const count = Number(doc.pageCount) || doc.pages?.length || 1;
    const title = el("h2", { class: "doc-title", text: doc.name ?? "" });
    const meta = el("span", { class: "doc-meta", text: count === 1 ? t("documentPage") : t("documentPages", { count }) });
    const section = el("section", { class: "document", "aria-label": doc.name ?? "" }, [el("div", { class: "doc-head" }, [title, meta])]);
    /** @type {DocumentView} */
    const entry = { doc, section, boxes: [], pdf: null, count };
    for (let i = 0; i < count; i++) entry.boxes.push(buildPage(entry, i, fields));
    docs.push(entry);
    container.append(section);
  }
  updateSignatureSlots();
}

/**
 * @param {DocumentView} entry
 * @param {number} i
 * @param {Field[]} fields
 * @returns {PageSlot}
 */
function buildPage(entry, i, fields) {
  const { doc, section, count } = entry;
  const p = doc.pages?.[i];
  const dims = { width: Number(p?.width) || 595.28, height: Number(p?.height) || 841.89 };
  const canvas = el("canvas", { class: "page-canvas", role: "img", "aria-label": t("pageLabel", { document: doc.name ?? "", page: i + 1, count }) });
  const box = el("div", { class: "page", "data-page": i + 1, "aria-busy": "true" }, [canvas]);
  box.style.aspectRatio = `${dims.width} / ${dims.height}`;
  for (const f of fields) if (f.documentId === doc.id && Number(f.page) === i + 1) box.append(buildField(f, dims));
  section.append(box);
  const slot = { box, canvas, dims, renderedWidth: 0 };
  scaleObserver.observe(box);
  return slot;
}

/** Field text follows the page's displayed size: --k is CSS pixels per PDF point. */
const scaleObserver = new ResizeObserver((entries) => {
  for (const e of entries) {
    const slot = docs.flatMap((d) => d.boxes).find((b) => b.box === e.target);
    if (slot) slot.box.style.setProperty("--k", String(e.contentRect.width / slot.dims.width));
  }
  scheduleRerender();
});

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
      while (d.boxes.length < pdf.numPages) d.boxes.push(buildPage(d, d.boxes.length, []));
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

// ---- signature capture ----

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
  $("signature-error").hidden = true;
  updateSignatureSlots();
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
  updateSignatureSlots();
  clearInvalid(typedName);
  $("signature-error").hidden = true;
});

const initialsOf = (/** @type {string} */ name) =>
  name.trim().split(/[\s-]+/).filter(Boolean).map((w) => w[0].toUpperCase()).join("").slice(0, 4);

/** The signature and initials boxes on the pages show what will be signed. */
function updateSignatureSlots() {
  const typed = typedName.value.trim();
  const drawn = method === "draw" && pad.hasInk() ? pad.toDataURL() : null;
  for (const { field, input } of fieldInputs.values()) {
    if (field.type !== "signature" && field.type !== "initials") continue;
    /** @type {HTMLElement} */
    let content;
    if (field.type === "signature" && drawn) content = el("img", { src: drawn, alt: "", class: "sig-img" });
    else {
      const text = field.type === "initials" ? initialsOf(method === "draw" ? session?.recipient?.name ?? "" : typed) : method === "type" ? typed : "";
      content = text
        ? el("span", { class: "sig-typed", text })
        : el("span", { class: "sig-placeholder", text: t(field.type === "initials" ? "initialsHere" : "signHere") });
    }
    input.replaceChildren(content);
    input.classList.toggle("filled", !content.classList.contains("sig-placeholder"));
  }
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
    $("signature-error").hidden = true;
    canvas.removeAttribute("aria-invalid");
    updateSignatureSlots();
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
      updateSignatureSlots();
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
  for (const { field, input } of fieldInputs.values()) {
    if (field.readOnly) continue;
    if (field.type === "checkbox") values[field.id] = input instanceof HTMLInputElement && input.checked ? "true" : "false";
    else if (field.type === "text" || field.type === "date") {
      const v = input.value.trim();
      if (v) values[field.id] = v;
    }
  }
  return values;
}

function validate() {
  /** @type {AlertItem[]} */
  const problems = [];
  for (const { field, input } of fieldInputs.values()) {
    clearInvalid(input);
    if (!field.required || field.type === "signature" || field.type === "initials") continue;
    const empty = field.type === "checkbox" ? !(input instanceof HTMLInputElement && input.checked) : !input.value.trim();
    if (empty) {
      markInvalid(input);
      problems.push({ text: t(field.type === "checkbox" ? "errFieldCheck" : "errFieldRequired", { label: fieldLabel(field) }), target: input.id });
    }
  }
  fieldError("signature-error", "");
  clearInvalid(typedName);
  $("draw-pad").removeAttribute("aria-invalid");
  if (!isApprover()) {
    if (method === "type" && !typedName.value.trim()) {
      markInvalid(typedName);
      fieldError("signature-error", t("errSignatureTyped"));
      problems.push({ text: t("errSignatureTyped"), target: "typed-name" });
    } else if (method === "draw" && !pad.hasInk()) {
      $("draw-pad").setAttribute("aria-invalid", "true");
      fieldError("signature-error", t("errSignatureDrawn"));
      problems.push({ text: t("errSignatureDrawn"), target: "tab-draw" });
    }
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
  for (const b of [signBtn, declineBtn]) b.disabled = on;
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
    else if (pointer.startsWith("/signature")) target = method === "draw" ? "tab-draw" : "typed-name";
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
  const body = { fields: fieldValues(), consent: true };
  if (!isApprover()) {
    body.signature = method === "draw" ? { type: "drawn", value: pad.toDataURL() } : { type: "typed", value: typedName.value.trim() };
  }
  busy(true, t(isApprover() ? "approving" : "signing"));
  try {
    const s = await api("/complete", body);
    busy(false);
    showSessionState(s?.state ? s : { ...current(), state: "signed" }, true);
  } catch (thrown) {
    const e = asApiError(thrown);
    busy(false);
    if (e.status === 409 || e.status === 410) return afterConflict(e);
    if (e.status === 404) return showState("notfound");
    showAlert(e.status ? `${t("errServer")} ${e.message}` : e.message, serverProblems(e));
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

$("retry").addEventListener("click", () => load());

// ---------------------------------------------------------------------------------------

setLanguage(browserLocale());
load();
