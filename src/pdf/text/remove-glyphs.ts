/**
 * A page's content with some glyphs taken out: each text-showing operation that shows one of
 * them is rewritten as a TJ whose removed glyphs become position adjustments of the same
 * advance, so everything after them stays exactly where it was. Every other byte of the
 * content is kept.
 */
import { PDFName, type PDFPage } from "pdf-lib";
import { hexOperand } from "./content-stream";
import { shownParts, type PageText, type PlacedGlyph, type ShowState } from "./page-text";

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

/** The content bytes without `remove`, or null when nothing changes. */
export function contentWithout(text: PageText, remove: readonly PlacedGlyph[]): Uint8Array | null {
  const byOp = Map.groupBy(remove, (g) => g.op);
  const edits: { start: number; end: number; bytes: string }[] = [];
  for (const [opIndex, glyphs] of byOp) {
    const o = text.ops[opIndex]!;
    const state = text.shows.get(opIndex);
    if (!state || state.size === 0) continue; // a zero-size font shows nothing anyway
    const show = rewrittenShow(shownParts(o), state, new Set(glyphs.map((g) => g.index)));
    // ' and " also move to the next line (and " sets the spacing): kept as their own operators.
    const prefix = o.op === "'" ? "T* " : o.op === "\"" ? `${fmt(o.operands[0] as number)} Tw ${fmt(o.operands[1] as number)} Tc T* ` : "";
    edits.push({ start: o.start, end: o.end, bytes: prefix + show });
  }
  if (!edits.length) return null;
  edits.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(text.content.subarray(at, e.start), Buffer.from(e.bytes, "latin1"));
    at = e.end;
  }
  parts.push(text.content.subarray(at));
  return Buffer.concat(parts);
}

/** Replaces the page's content streams with one new stream (an incremental save writes just it and the page). */
export function replacePageContent(page: PDFPage, content: Uint8Array): void {
  const stream = page.doc.context.flateStream(content);
  page.node.set(PDFName.of("Contents"), page.doc.context.register(stream));
}
