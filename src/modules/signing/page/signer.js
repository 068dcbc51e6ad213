// The signer page. Plain browser JavaScript (an ES module, no framework, no build step),
// served by the binary at /s/assets/signer.js. It reads the token from the page's path and
// does everything through the JSON API under /api/v1/signing/{token}.
//
// Security rule for this file: every value that comes from the API or the signer is put in
// the page with textContent, an attribute or a property: never innerHTML.

const VERSION = new URL(import.meta.url).search; // "?v=…", passed on to the other assets
const ASSETS = new URL("./", import.meta.url);
const asset = (name) => new URL(name, ASSETS).href;

const { LANGUAGE_NAMES, supported, translator } = await import(asset("i18n.js" + VERSION));

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("aria-") || k.startsWith("data-") || k === "role" || k === "for") node.setAttribute(k, v === true ? "true" : String(v));
    else node[k] = v;
  }
  for (const c of children) if (c) node.append(c);
  return node;
};

// ---------------------------------------------------------------------------------------
// Token, API, language

const match = /^\/s\/([^/?#]+)\/?$/.exec(location.pathname);
const TOKEN = match ? match[1] : "";
const API = "/api/v1/signing/" + TOKEN;

class ApiError extends Error {
  constructor(status, code, message, errors = [], requestId = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = Array.isArray(errors) ? errors : [];
    this.requestId = requestId;
  }
}

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

let lang = "en";
let t = translator("en");

function setLanguage(locale) {
  lang = supported(locale) ?? "en";
  t = translator(lang);
  document.documentElement.lang = lang;
  $("lang").value = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
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

/** The signer's own choice first, then the envelope's language when the sender set one, then the browser's. */
const pageLocale = (envelopeLocale) => chosenLocale() ?? supported(envelopeLocale) ?? browserLocale();

// The language switcher: every language the page speaks, each in its own name.
for (const [code, name] of Object.entries(LANGUAGE_NAMES)) $("lang").append(el("option", { value: code, lang: code, text: name }));
$("lang").addEventListener("change", () => {
  try {
    localStorage.setItem(CHOSEN, $("lang").value);
  } catch {
    /* storage blocked */
  }
  setLanguage($("lang").value);
  relabel();
});

const formatDate = (iso) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(d);
};

// ---------------------------------------------------------------------------------------
// Screens

let session = null;

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

/** A visible, announced alert; items are { text, target? } where target is an element id to focus. */
function showAlert(text, items = [], focus = true) {
  $("alert-text").textContent = text;
  $("alert-list").replaceChildren(
    ...items.map((item) => {
      if (!item.target) return el("li", { text: item.text });
      const a = el("a", { href: "#" + item.target, text: item.text });
      a.addEventListener("click", (e) => {
        e.preventDefault();
        const target = $(item.target);
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

/** A full-page state: signed, declined, voided, expired, waiting, completed, unknown link, error. */
let shownState = null;

/** After a language switch: the screen on show, said again. */
function relabel() {
  if (!$("state").hidden && shownState) return showState(shownState.kind, shownState.opts, false);
  if (!$("ceremony").hidden) relabelCeremony();
}

function showState(kind, opts = {}, focus = true) {
  shownState = { kind, opts };
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
  $("state-detail").textContent = opts.detailKey ? t(opts.detailKey) : opts.detail ?? "";
  $("retry").hidden = kind !== "error";
  if (session?.envelope?.subject) document.title = `${session.envelope.subject} – Certyneo`;
  showSignedDocument(kind === "completed" || kind === "signed" ? session?.signedDocument : null);
  show("state");
  if (focus) $("state-title").focus();
}

// ---- the sealed PDF, once the envelope is complete ----

let sealPoll = 0;
let sealPollDelay = 2000;

/** The download of the sealed PDF: shown once sealed; while it is being sealed, the page asks again. */
function showSignedDocument(doc) {
  clearTimeout(sealPoll);
  const block = $("signed-doc");
  block.hidden = !doc;
  if (!doc) return;
  const ready = doc.status === "SEALED";
  $("signed-doc-text").textContent = t(ready ? "signedReady" : doc.status === "FAILED" ? "signedFailed" : "signedPending");
  const link = $("signed-doc-link");
  link.hidden = !ready;
  if (ready) {
    link.href = doc.url + "?download=1"; // served as an attachment: the browser saves it under its own name
  }
  if (doc.status === "PENDING") {
    sealPoll = setTimeout(async () => {
      sealPollDelay = Math.min(sealPollDelay * 1.5, 15000);
      try {
        const s = await api();
        session = { ...session, signedDocument: s.signedDocument };
        showSignedDocument(s.signedDocument);
      } catch {
        showSignedDocument(doc); // a network blip: ask again later
      }
    }, sealPollDelay);
  }
}

function showSessionState(s, justActed = false) {
  session = s;
  if (s.recipient) $("recipient-line").textContent = t("recipientLine", { name: s.recipient.name ?? "", email: s.recipient.email ?? "" });
  const state = s.state;
  if ((state === "ready" || state === "waiting") && s.recipient?.role === "CC") return showState("cc");
  if (state === "ready") return startCeremony();
  if (justActed && state === "completed") return showState("signed", { detailKey: "stateCompletedText" });
  showState(STATES[state] ? state : "error", state in STATES ? {} : { detail: String(state) });
}

async function load() {
  hideAlert();
  show("loading");
  if (!TOKEN) return showState("notfound");
  try {
    const s = await api();
    setLanguage(pageLocale(s?.envelope?.locale));
    showSessionState(s);
  } catch (e) {
    if (e.status === 404) return showState("notfound");
    if (e.status === 410) return showState("expired");
    showState("error", { detail: e.message + (e.requestId ? ` (${e.requestId})` : "") });
  }
}

// ---------------------------------------------------------------------------------------
// The ceremony: documents with the recipient's fields (each with its visible label) and what
// earlier signers placed, a guide from field to field, adopting a signature, consent, actions

const fieldInputs = new Map(); // field id -> { field, input, wrap, placed }
const isApprover = () => session?.recipient?.role === "APPROVER";
/** The adopted signature: { type: "typed", value: name } or { type: "drawn", value: PNG data URL }. */
let adopted = null;
let guideStarted = false;
let currentField = null;

function startCeremony() {
  if (!$("typed-name").value) $("typed-name").value = session.recipient.name ?? "";
  buildDocuments();
  relabelCeremony();
  show("ceremony");
  renderDocuments();
}

/** Every text of the ceremony in the page's language (again after a language switch). */
function relabelCeremony() {
  const { envelope, recipient } = session;
  document.title = `${envelope.subject} – Certyneo`;
  $("subject").textContent = envelope.subject ?? "";
  $("message").textContent = envelope.message ?? "";
  $("message").hidden = !envelope.message;
  $("recipient-line").textContent = t(isApprover() ? "approvingAs" : "signingAs", { name: recipient.name ?? "", email: recipient.email ?? "" });
  $("intro-hint").textContent = t(isApprover() ? "introApprove" : "introSign");
  $("expires").hidden = !envelope.expiresAt;
  if (envelope.expiresAt) $("expires").textContent = t("expiresOn", { date: formatDate(envelope.expiresAt) });

  $("sign-title").textContent = t(isApprover() ? "yourApproval" : "yourSignature");
  $("adopted-block").hidden = isApprover();
  $("consent-label").textContent = t(isApprover() ? "consentApprove" : "consentSign");
  $("sign-btn").textContent = t(isApprover() ? "approve" : "sign");
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

const docs = []; // { doc, section, boxes: [{ box, canvas, dims }], pdf }

function fieldLabel(f) {
  const key = { signature: "fieldSignature", initials: "fieldInitials", date: "fieldDate", text: "fieldText", checkbox: "fieldCheckbox" }[f.type] ?? "fieldText";
  return f.label ? String(f.label) : t(key);
}

const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const pct = (v) => `${Math.max(0, Math.min(100, v * 100)).toFixed(4)}%`;
const isSignatureField = (f) => f.type === "signature" || f.type === "initials";

/** Absolutely placed on its page: PDF points from the top-left, as percentages of the page. */
function place(node, f, dims) {
  node.style.left = pct(f.x / dims.width);
  node.style.top = pct(f.y / dims.height);
  node.style.width = pct(f.width / dims.width);
  node.style.height = pct(f.height / dims.height);
  node.style.setProperty("--fh", String(Math.max(6, Number(f.height) || 12)));
}

/** Labels go above their field, or below it when the field touches the top of the page. */
const LABEL_ROOM = 16;

/** The visible label, and the accessible name (which says "required"). */
function labelField(entry) {
  const { field, input, label } = entry;
  const text = fieldLabel(field);
  label.firstChild.textContent = text;
  if (isSignatureField(field)) renderSlot(entry);
  else input.setAttribute("aria-label", field.required ? t("fieldRequired", { label: text }) : text);
}

function buildField(f, dims) {
  const id = "field-" + String(f.id).replace(/[^A-Za-z0-9_-]/g, "_");
  const wrap = el("div", { class: `field field-${f.type}${f.required ? " required" : ""}`, "data-field-id": f.id });
  place(wrap, f, dims);

  let input;
  if (isSignatureField(f)) {
    input = el("button", { type: "button", id, class: "sig-slot" });
    input.addEventListener("click", () => placeSignature(fieldInputs.get(f.id)));
  } else if (f.type === "checkbox") {
    input = el("input", { type: "checkbox", id, checked: f.value === "true" || f.value === true, required: !!f.required });
  } else if (f.type === "date") {
    const v = typeof f.value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(f.value) ? f.value : todayIso();
    input = el("input", { type: "date", id, value: v, required: !!f.required });
  } else {
    input = el("input", { type: "text", id, value: typeof f.value === "string" ? f.value : "", maxLength: 500, required: !!f.required, autocomplete: "off" });
  }
  if (f.required && input.tagName === "INPUT") input.setAttribute("aria-required", "true");
  const changed = () => {
    clearInvalid(input);
    updateGuide();
  };
  input.addEventListener("input", changed);
  input.addEventListener("change", changed);
  input.addEventListener("focus", () => setCurrent(f.id));
  // The visible label: the field's own label, or its kind; a star when it is required.
  const label = el("label", { class: `field-label${f.y < LABEL_ROOM ? " below" : ""}`, for: id, "aria-hidden": "true" },
    [document.createTextNode(""), f.required ? el("span", { class: "req", text: " *" }) : null]);
  wrap.append(label, input);
  const entry = { field: f, input, wrap, label, placed: false };
  fieldInputs.set(f.id, entry);
  labelField(entry);
  return wrap;
}

/** What an earlier signer placed: read-only, with who placed it for screen readers. */
const stampOf = new WeakMap();

function labelStamp(node) {
  const st = stampOf.get(node);
  const value = st.value ?? "";
  const spoken = isSignatureField(st) || st.type === "checkbox"
    ? t(st.type === "checkbox" ? (value === "true" ? "stampChecked" : "stampUnchecked") : "stampSigned", { name: st.recipientName })
    : t("stampFilled", { name: st.recipientName, value });
  node.setAttribute("aria-label", spoken);
  node.title = spoken;
}

function buildStamp(st, dims) {
  const value = st.value ?? "";
  const signed = isSignatureField(st);
  const node = el("div", { class: `stamp stamp-${st.type}`, role: "img" });
  stampOf.set(node, st);
  labelStamp(node);
  place(node, st, dims);
  if (st.imageUrl) node.append(el("img", { src: st.imageUrl, alt: "", class: "sig-img" }));
  else if (signed) node.append(el("span", { class: "sig-typed", text: value }));
  else if (st.type === "checkbox") node.append(el("span", { class: "stamp-check", text: value === "true" ? "✓" : "" }));
  else node.append(el("span", { class: "stamp-text", text: value }));
  return node;
}

/** The recipient's fields in reading order: document, page, top to bottom, left to right. */
function orderedEntries() {
  const docIndex = new Map((session?.documents ?? []).map((d, i) => [d.id, i]));
  return [...fieldInputs.values()].sort((a, b) =>
    (docIndex.get(a.field.documentId) ?? 0) - (docIndex.get(b.field.documentId) ?? 0) ||
    a.field.page - b.field.page || a.field.y - b.field.y || a.field.x - b.field.x);
}

function buildDocuments() {
  const container = $("documents");
  container.replaceChildren();
  fieldInputs.clear();
  docs.length = 0;
  const fields = Array.isArray(session.fields) ? session.fields : [];
  const stamps = Array.isArray(session.stamps) ? session.stamps : [];
  for (const doc of session.documents ?? []) {
    const count = Number(doc.pageCount) || doc.pages?.length || 1;
    const title = el("h2", { class: "doc-title", text: doc.name ?? "" });
    const meta = el("span", { class: "doc-meta" });
    const section = el("section", { class: "document", "aria-label": doc.name ?? "" }, [el("div", { class: "doc-head" }, [title, meta])]);
    const entry = { doc, section, meta, boxes: [], pdf: null, count };
    for (let i = 0; i < count; i++) entry.boxes.push(buildPage(entry, i, fields, stamps));
    docs.push(entry);
    container.append(section);
  }
}

function buildPage(entry, i, fields, stamps) {
  const { doc, section, count } = entry;
  const p = doc.pages?.[i];
  const dims = { width: Number(p?.width) || 595.28, height: Number(p?.height) || 841.89 };
  const canvas = el("canvas", { class: "page-canvas", role: "img", "aria-label": t("pageLabel", { document: doc.name ?? "", page: i + 1, count }) });
  const box = el("div", { class: "page", "data-page": i + 1, "aria-busy": "true" }, [canvas]);
  box.style.aspectRatio = `${dims.width} / ${dims.height}`;
  const here = (x) => x.documentId === doc.id && Number(x.page) === i + 1;
  for (const st of stamps) if (here(st)) box.append(buildStamp(st, dims));
  for (const f of fields) if (here(f)) box.append(buildField(f, dims));
  section.append(box);
  const slot = { box, canvas, dims, renderedWidth: 0 };
  scaleObserver.observe(box);
  return slot;
}

/** Field text follows the page's displayed size: --k is CSS pixels per PDF point. */
const scaleObserver = new ResizeObserver((entries) => {
  for (const e of entries) {
    const slot = docs.flatMap((d) => d.boxes).find((b) => b.box === e.target);
    if (slot) e.target.style.setProperty("--k", String(e.contentRect.width / slot.dims.width));
    for (const node of e.target.querySelectorAll(".sig-typed")) fitToBox(node);
  }
  scheduleRerender();
});

/**
 * A typed signature or initials as large as its box allows and never wider: a long name on a
 * phone shrinks instead of being clipped, short initials fill a small box.
 */
function fitToBox(node) {
  const box = node.parentElement;
  const width = box?.clientWidth * 0.94;
  const height = box?.clientHeight;
  if (!width || !height) return;
  let size = height * 0.62;
  node.style.fontSize = size + "px";
  const natural = node.getBoundingClientRect().width;
  if (natural > width) node.style.fontSize = (size * width) / natural + "px";
}
let pdfjs = null;
async function loadPdfjs() {
  if (!pdfjs) {
    pdfjs = await import(asset("pdf.min.mjs" + VERSION));
    pdfjs.GlobalWorkerOptions.workerSrc = asset("pdf.worker.min.mjs" + VERSION);
  }
  return pdfjs;
}

/** Options that keep pdf.js on this server: its data files come from /s/assets/pdfjs/, never a CDN. */
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
      // The PDF is the truth about its page count.
      while (d.boxes.length < d.pdf.numPages) d.boxes.push(buildPage(d, d.boxes.length, []));
      while (d.boxes.length > d.pdf.numPages) d.boxes.pop().box.remove();
      for (let i = 0; i < d.boxes.length; i++) {
        if (generation !== renderGeneration) return;
        await renderPage(d, i);
      }
    } catch (e) {
      if (generation !== renderGeneration || e?.name === "RenderingCancelledException") return; // a newer render took over
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

async function renderPage(d, i) {
  const slot = d.boxes[i];
  const page = await d.pdf.getPage(i + 1);
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
  slot.task = page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport });
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

function markFailed(d) {
  if (d.section.querySelector(".doc-error")) return;
  d.section.insertBefore(el("p", { class: "doc-error", role: "status", text: t("renderingFailed") }), d.section.children[1] ?? null);
  for (const b of d.boxes) b.box.setAttribute("aria-busy", "false");
}

/** After a big width change (a phone rotated), render again so pages stay sharp. */
let rerenderTimer = 0;
function scheduleRerender() {
  clearTimeout(rerenderTimer);
  rerenderTimer = setTimeout(() => {
    const stale = docs.some((d) => d.boxes.some((b) => b.renderedWidth && Math.abs(b.box.clientWidth - b.renderedWidth) / b.renderedWidth > 0.25));
    if (stale) renderDocuments();
  }, 300);
}

// ---- adopting a signature ----

let method = "type"; // "type" | "draw"

function selectMethod(m, focus = false) {
  method = m;
  for (const [name, tab, pane] of [["type", $("tab-type"), $("pane-type")], ["draw", $("tab-draw"), $("pane-draw")]]) {
    const on = name === m;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    pane.hidden = !on;
    if (on && focus) tab.focus();
  }
  if (m === "draw") pad.resize();
  clearInvalid($("typed-name"));
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
  $("typed-preview").textContent = $("typed-name").value.trim();
}
$("typed-name").addEventListener("input", () => {
  updateTypedPreview();
  clearInvalid($("typed-name"));
  fieldError("adopt-error", "");
});

const initialsOf = (name) =>
  name.trim().split(/[\s-]+/).filter(Boolean).map((w) => [...w][0].toLocaleUpperCase()).join("").slice(0, 4);

/** The adopted signature as it shows on a page: the image, the typed name, or the initials. */
function signatureContent(type) {
  if (type === "signature" && adopted?.type === "drawn") return el("img", { src: adopted.value, alt: "", class: "sig-img" });
  const text = type === "initials" ? initialsOf(adopted?.type === "typed" ? adopted.value : session?.recipient?.name ?? "") : adopted?.value ?? "";
  return el("span", { class: "sig-typed", text });
}

/** A signature or initials box: "Sign here" until the signer places the adopted signature in it. */
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

let adoptFor = null; // the field to place the signature in once adopted

/** Placing a signature is one click on its box once a signature is adopted; the first click adopts one. */
function placeSignature(entry) {
  if (!entry) return;
  setCurrent(entry.field.id);
  if (!adopted) return openAdopt(entry);
  entry.placed = true;
  clearInvalid(entry.input);
  renderSlot(entry);
  updateGuide();
}

function openAdopt(entry = null) {
  adoptFor = entry;
  fieldError("adopt-error", "");
  clearInvalid($("typed-name"));
  if (!$("typed-name").value) $("typed-name").value = session?.recipient?.name ?? "";
  updateTypedPreview();
  $("adopt-dialog").showModal();
  selectMethod(adopted?.type === "drawn" ? "draw" : "type");
  if (method === "type") $("typed-name").focus();
  else $("tab-draw").focus();
}

$("adopt-open").addEventListener("click", () => openAdopt());
$("adopt-cancel").addEventListener("click", () => $("adopt-dialog").close());

$("adopt-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const typed = $("typed-name").value.trim();
  if (method === "type" && !typed) {
    markInvalid($("typed-name"));
    fieldError("adopt-error", t("errSignatureTyped"));
    return $("typed-name").focus();
  }
  if (method === "draw" && !pad.hasInk()) {
    fieldError("adopt-error", t("errSignatureDrawn"));
    return $("draw-pad").focus();
  }
  adopted = method === "draw" ? { type: "drawn", value: pad.toDataURL() } : { type: "typed", value: typed };
  $("adopt-dialog").close();
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
  const canvas = $("draw-pad");
  const strokes = []; // each: [[x, y], ...] with x, y in 0..1
  let current = null;
  const ASPECT = 3; // width / height, as in the CSS

  function point(e) {
    const r = canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  }

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
    paint(canvas.getContext("2d"), canvas.width, canvas.height, Math.max(2, canvas.width / 220));
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
    current = [point(e)];
    strokes.push(current);
    redraw();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!current) return;
    e.preventDefault();
    for (const ev of e.getCoalescedEvents?.() ?? [e]) current.push(point(ev));
    redraw();
  });
  const end = () => {
    if (!current) return;
    current = null;
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
      current = null;
      redraw();
    },
    /** A PNG of a fixed size whatever the screen, transparent background. */
    toDataURL() {
      const out = document.createElement("canvas");
      out.width = 900;
      out.height = 300;
      paint(out.getContext("2d"), out.width, out.height, 6);
      return out.toDataURL("image/png");
    },
  };
})();

$("draw-clear").addEventListener("click", () => pad.clear());


// ---- the guide: from one required field to the next ----

function isFilled(entry) {
  const { field, input } = entry;
  if (isSignatureField(field)) return entry.placed;
  if (field.type === "checkbox") return input.checked;
  return !!input.value.trim();
}

const requiredEntries = () => orderedEntries().filter((e) => e.field.required);

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
  $("guide-next").textContent = t(!guideStarted && required.length ? "guideStart" : nextEntry() ? "guideNext" : "guideFinish");
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
    (!isApprover() && !adopted ? $("adopt-open") : $("consent")).focus({ preventScroll: true });
  }
  updateGuide();
});

// ---- validation and actions ----

function markInvalid(node) {
  node?.setAttribute("aria-invalid", "true");
  node?.closest(".field")?.classList.add("invalid");
}
function clearInvalid(node) {
  node?.removeAttribute("aria-invalid");
  node?.closest(".field")?.classList.remove("invalid");
}
function fieldError(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

/** The values of the fields the signer fills (signature and initials come from the signature). */
function fieldValues() {
  const values = {};
  for (const { field, input } of fieldInputs.values()) {
    if (field.type === "checkbox") values[field.id] = input.checked ? "true" : "false";
    else if (field.type === "text" || field.type === "date") {
      const v = input.value.trim();
      if (v) values[field.id] = v;
    }
  }
  return values;
}

function validate() {
  const problems = [];
  for (const entry of orderedEntries()) {
    const { field, input } = entry;
    clearInvalid(input);
    if (!field.required || isFilled(entry)) continue;
    markInvalid(input);
    const key = isSignatureField(field) ? "errFieldSign" : field.type === "checkbox" ? "errFieldCheck" : "errFieldRequired";
    problems.push({ text: t(key, { label: fieldLabel(field) }), target: input.id });
  }
  fieldError("signature-error", "");
  if (!isApprover() && !adopted) {
    fieldError("signature-error", t("errAdopt"));
    problems.push({ text: t("errAdopt"), target: "adopt-open" });
  }
  fieldError("consent-error", "");
  clearInvalid($("consent"));
  if (!$("consent").checked) {
    const msg = t(isApprover() ? "errApproveConsent" : "errConsent");
    markInvalid($("consent"));
    fieldError("consent-error", msg);
    problems.push({ text: msg, target: "consent" });
  }
  return problems;
}

$("consent").addEventListener("change", () => {
  clearInvalid($("consent"));
  fieldError("consent-error", "");
});

function busy(on, label) {
  for (const b of [$("sign-btn"), $("decline-btn")]) b.disabled = on;
  $("sign-panel").setAttribute("aria-busy", on ? "true" : "false");
  $("sign-btn").textContent = label ?? t(isApprover() ? "approve" : "sign");
}

/** Server-side validation errors point at the inputs they are about. */
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


/** 409 / 410: the envelope moved on (signed elsewhere, voided, expired): show where it is now. */
async function afterConflict(e) {
  try {
    const s = await api();
    if (s.state !== "ready") return showSessionState(s);
  } catch (again) {
    if (again.status === 404) return showState("notfound");
  }
  showAlert(`${t("errServer")} ${e.message}`);
}

$("sign-btn").addEventListener("click", async () => {
  hideAlert();
  const problems = validate();
  if (problems.length) return showAlert(t("errSummary"), problems);
  const body = { fields: fieldValues(), consent: true };
  if (!isApprover()) {
    body.signature = adopted;
  }
  busy(true, t(isApprover() ? "approving" : "signing"));
  try {
    const s = await api("/complete", body);
    busy(false);
    showSessionState(s?.state ? s : { ...session, state: "signed" }, true);
  } catch (e) {
    busy(false);
    if (e.status === 409 || e.status === 410) return afterConflict(e);
    if (e.status === 404) return showState("notfound");
    showAlert(e.status ? `${t("errServer")} ${e.message}` : e.message, serverProblems(e));
  }
});

// ---- decline ----

const dialog = $("decline-dialog");

$("decline-btn").addEventListener("click", () => {
  hideAlert();
  fieldError("decline-error", "");
  clearInvalid($("decline-reason"));
  dialog.showModal();
  $("decline-reason").focus();
});
$("decline-cancel").addEventListener("click", () => dialog.close());
$("decline-reason").addEventListener("input", () => {
  clearInvalid($("decline-reason"));
  fieldError("decline-error", "");
});

$("decline-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const reason = $("decline-reason").value.trim();
  if (!reason) {
    markInvalid($("decline-reason"));
    fieldError("decline-error", t("errReason"));
    $("decline-reason").focus();
    return;
  }
  const confirm = $("decline-confirm");
  confirm.disabled = true;
  confirm.textContent = t("declining");
  try {
    const s = await api("/decline", { reason });
    dialog.close();
    const next = s?.state ? s : { ...session, state: "declined" };
    if (next.recipient) next.recipient = { ...next.recipient, status: "DECLINED" };
    showSessionState(next);
  } catch (err) {
    if (err.status === 409 || err.status === 410) {
      dialog.close();
      return afterConflict(err);
    }
    const details = (err.errors ?? []).map((x) => x.message).filter(Boolean).join(" ");
    fieldError("decline-error", `${err.status ? t("errServer") + " " : ""}${err.message}${details ? " " + details : ""}`);
  } finally {
    confirm.disabled = false;
    confirm.textContent = t("confirmDecline");
  }
});

$("retry").addEventListener("click", () => load());

// ---------------------------------------------------------------------------------------

setLanguage(pageLocale(null));
load();
