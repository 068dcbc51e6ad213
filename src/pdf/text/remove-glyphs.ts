/**
 * A page with some glyphs taken out: each text-showing operation that shows one of them is
 * rewritten as a TJ whose removed glyphs become position adjustments of the same advance, so
 * everything after them stays exactly where it was. Every other byte of the content is kept.
 * Glyphs drawn by a form XObject (or an annotation's appearance) are taken out of a copy of the
 * form made for that one use: the form's other uses, on this page or others, keep it whole.
 */
import { type PDFContext, PDFDict, PDFName, type PDFObject, type PDFPage, type PDFRef, PDFStream } from "pdf-lib";
import { hexOperand } from "./content-stream";
import { entry, shownParts, type PageText, type PlacedGlyph, type ShowState, type TextStream } from "./page-text";

const fmt = (n: number) => (Math.round(n * 1000) / 1000).toString();

/** The TJ array of an operation's parts with the glyphs at `drop` (indexes among its glyphs) replaced by adjustments. */
function rewrittenShow(parts: (Uint8Array | number)[], state: ShowState, drop: Set<number>): string {
  const items: string[] = [];
  let pendingAdjust = 0;
  let run: number[] = [];
  const flushRun = () => {
    if (run.length) items.push(hexOperand(Uint8Array.from(run)));
    run = [];
  };
  const flushAdjust = () => {
    if (pendingAdjust) items.push(fmt(pendingAdjust));
    pendingAdjust = 0;
  };
  let index = 0;
  for (const part of parts) {
    if (typeof part === "number") {
      flushRun();
      pendingAdjust += part;
      continue;
    }
    let at = 0;
    for (const glyph of state.font.decode(part)) {
      const bytes = [...part.subarray(at, at + glyph.bytes)];
      at += glyph.bytes;
      if (drop.has(index++)) {
        flushRun();
        // The glyph's advance (width, character and word spacing) as a TJ adjustment in thousandths of an em.
        const advance = glyph.width * state.size + state.charSpace + (glyph.wordSpace ? state.wordSpace : 0);
        pendingAdjust -= (advance * 1000) / state.size;
      } else {
        flushAdjust();
        run.push(...bytes);
      }
    }
  }
  flushRun();
  flushAdjust();
  return `[${items.join(" ")}] TJ`;
}

/** One stream's bytes without the glyphs `remove` and with the forms of `redrawn` (operation -> resource name) drawn instead; null when nothing changes. */
function streamContent(stream: TextStream, remove: readonly PlacedGlyph[], redrawn: ReadonlyMap<number, string>): Uint8Array | null {
  const edits: { start: number; end: number; bytes: string }[] = [];
  for (const [opIndex, glyphs] of Map.groupBy(remove, (g) => g.op)) {
    const o = stream.ops[opIndex]!;
    const state = stream.shows.get(opIndex);
    if (!state || state.size === 0) continue; // a zero-size font shows nothing anyway
    const show = rewrittenShow(shownParts(o), state, new Set(glyphs.map((g) => g.index)));
    // ' and " also move to the next line (and " sets the spacing): kept as their own operators.
    const prefix = o.op === "'" ? "T* " : o.op === "\"" ? `${fmt(o.operands[0] as number)} Tw ${fmt(o.operands[1] as number)} Tc T* ` : "";
    edits.push({ start: o.start, end: o.end, bytes: prefix + show });
  }
  for (const [opIndex, name] of redrawn) edits.push({ start: stream.ops[opIndex]!.start, end: stream.ops[opIndex]!.end, bytes: `/${name} Do` });
  if (!edits.length) return null;
  edits.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(stream.content.subarray(at, e.start), Buffer.from(e.bytes, "latin1"));
    at = e.end;
  }
  parts.push(stream.content.subarray(at));
  return Buffer.concat(parts);
}

/**
 * A copy of `resources` whose XObjects also name each copy of `copies` (by the operation drawing
 * it; the names go into `names`), and in which a form that draws one of the forms it is drawn
 * inside (or itself) draws that form's copy (`copyOfDrawing`), so the copies' loop has no tag either.
 */
function withFormCopies(
  context: PDFContext, resources: PDFDict | undefined, copies: ReadonlyMap<number, PDFRef>, names: Map<number, string>,
  copyOfDrawing: (form: PDFStream) => PDFRef | undefined,
): PDFDict {
  const out = resources ? resources.clone(context) : context.obj({});
  const xobjects = entry(out, "XObject", PDFDict)?.clone(context) ?? context.obj({});
  for (const key of xobjects.keys()) {
    const form = entry(xobjects, key.decodeText(), PDFStream);
    const copy = form && copyOfDrawing(form);
    if (copy) xobjects.set(key, copy);
  }
  let n = 0;
  for (const [op, ref] of copies) {
    let name: string;
    do name = `CyUntagged${++n}`;
    while (xobjects.has(PDFName.of(name)));
    xobjects.set(PDFName.of(name), ref);
    names.set(op, name);
  }
  out.set(PDFName.of("XObject"), xobjects);
  return out;
}

/** A new form like `form` (its BBox, Matrix, Group...) with other content and resources, at `ref`. */
function formCopy(context: PDFContext, ref: PDFRef, form: PDFStream, content: Uint8Array, resources: PDFDict | undefined): void {
  const entries: Record<string, PDFObject> = {};
  for (const [key, value] of form.dict.entries()) if (!["Filter", "DecodeParms", "Length", "DL"].includes(key.decodeText())) entries[key.decodeText()] = value;
  if (resources) entries.Resources = resources;
  context.assign(ref, context.flateStream(content, entries));
}

/** The annotation shows `copy` as its normal appearance (in the state it is in, for appearances with states). */
function setNormalAppearance(context: PDFContext, annotation: PDFDict, copy: PDFRef): void {
  const ap = (entry(annotation, "AP", PDFDict) ?? context.obj({})).clone(context);
  const states = entry(ap, "N", PDFDict);
  const state = annotation.get(PDFName.of("AS"));
  if (states && state instanceof PDFName) {
    const copied = states.clone(context);
    copied.set(state, copy);
    ap.set(PDFName.of("N"), copied);
  } else ap.set(PDFName.of("N"), copy);
  annotation.set(PDFName.of("AP"), ap);
}

/**
 * Takes `remove` (glyphs of `text`, read from `page`) out of the page. The page's own content
 * gets a new stream; a form that drew some of them is copied without them for that use, and
 * each stream up to the page draws the copy instead (a new name in a copy of its resources).
 * Nothing already in the file is changed but the page (and an annotation whose appearance is
 * replaced): an incremental save writes only those and the new streams.
 */
export function removeGlyphs(page: PDFPage, text: PageText, remove: readonly PlacedGlyph[]): void {
  const context = page.doc.context;
  const byStream = Map.groupBy(remove, (g) => g.stream);
  const drawer = (i: number) => {
    const by = text.streams[i]!.drawnBy;
    return by?.kind === "do" ? by.stream : null;
  };
  const touched = new Set<number>();
  for (const i of byStream.keys()) for (let at: number | null = i; at !== null && !touched.has(at); at = drawer(at)) touched.add(at);
  /** Where each stream's copy goes (made when first needed: by the stream, or by a form inside it that draws it again). */
  const copyRefs = new Map<number, PDFRef>();
  const copyRef = (i: number) => copyRefs.get(i) ?? copyRefs.set(i, context.nextRef()).get(i)!;
  /** For each stream, the copies of forms it draws, by the operation that draws them. */
  const copiesDrawnBy = new Map<number, Map<number, PDFRef>>();
  // A form is read after the stream that draws it: from the last, each stream knows its forms' copies.
  for (const i of [...touched].sort((a, b) => b - a)) {
    const stream = text.streams[i]!;
    const copies = copiesDrawnBy.get(i) ?? new Map<number, PDFRef>();
    const names = new Map<number, string>();
    const copyOfDrawing = (form: PDFStream) => {
      for (let at: number | null = i; at !== null; at = drawer(at)) if (text.streams[at]!.drawnBy?.form === form) return copyRef(at);
      return undefined;
    };
    const resources = stream.drawnBy || copies.size ? withFormCopies(context, stream.resources, copies, names, copyOfDrawing) : stream.resources;
    const content = streamContent(stream, byStream.get(i) ?? [], names);
    if (!content) continue;
    const by = stream.drawnBy;
    if (!by) {
      replacePageContent(page, content);
      if (copies.size) page.node.set(PDFName.of("Resources"), resources!);
      continue;
    }
    formCopy(context, copyRef(i), by.form, content, resources);
    if (by.kind === "annotation") setNormalAppearance(context, by.annotation, copyRef(i));
    else {
      if (!copiesDrawnBy.has(by.stream)) copiesDrawnBy.set(by.stream, new Map());
      copiesDrawnBy.get(by.stream)!.set(by.op, copyRef(i));
    }
  }
}

/** Replaces the page's content streams with one new stream (an incremental save writes just it and the page). */
function replacePageContent(page: PDFPage, content: Uint8Array): void {
  const stream = page.doc.context.flateStream(content);
  page.node.set(PDFName.of("Contents"), page.doc.context.register(stream));
}
