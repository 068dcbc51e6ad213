/**
 * Text tags: placeholders typed into a document's text that say "a field goes here", so an
 * integrator places fields without coordinates. Three syntaxes (docs/documents.md):
 * - DocuSeal: `{{Name;type=signature;role=Employee;required=true}}`
 * - Adobe Sign: `{{*Name_es_:signer1:signature}}` (`*`: required)
 * - Dropbox Sign: `[sig|req|signer1]`, `[text|noreq|signer2|Label|id]`
 * A tag's box is the extent of its text on the displayed page. Tags may be split across text
 * runs, fonts and streams; they are found in each page's content, in the form XObjects it draws
 * (at each use), and in the appearances of its widget and free-text annotations.
 */
import { type PDFDict, type PDFDocument, PDFHexString, PDFName, type PDFPage, PDFString } from "pdf-lib";
import { PLACED_FIELD_TYPES, type PlacedFieldType } from "../../enums";
import { displayedBox } from "../page-frame";
import { glyphQuad, readPageText, type PageText, type PlacedGlyph } from "./page-text";
import { removeGlyphs } from "./remove-glyphs";
import type { TextTag } from "./text-tag-model";

export type { TextTag };

/** What a tag's text says, before it is placed. */
export type TagSpec = Pick<TextTag, "name" | "type" | "role" | "required">;

const TYPE_WORDS: Record<string, PlacedFieldType> = {
  ...Object.fromEntries(PLACED_FIELD_TYPES.map((t) => [t, t])),
  sig: "signature", initial: "initials", check: "checkbox", text: "text", date: "date",
};
const TYPE_LABELS: Record<PlacedFieldType, string> = { signature: "Signature", initials: "Initials", date: "Date", text: "Text", checkbox: "Checkbox" };

const TAG_PATTERN = /\{\{([^{}]{1,300})\}\}|\[(sig|initial|text|check|date)\|(req|noreq)\|([A-Za-z0-9_]+)((?:\|[^|\]]{0,100}){0,2})\]/gi;

/** `{{…}}` content: the Adobe Sign form when it has `_es_`, else DocuSeal's. */
function braceTag(inner: string): TagSpec | null {
  const adobe = /^\s*(\*?)([^:]*?)_es_:([^:]+?)(?::([A-Za-z]+))?(?::[^}]*)?\s*$/.exec(inner);
  if (adobe) {
    const type = adobe[4] ? TYPE_WORDS[adobe[4].toLowerCase()] : "text";
    if (!type) return null;
    return { name: adobe[2]!.trim() || TYPE_LABELS[type], type, role: adobe[3]!.trim(), required: adobe[1] === "*" || type === "signature" || type === "initials" };
  }
  const parts = inner.split(";").map((p) => p.trim());
  const options = new Map<string, string>();
  let name = "";
  parts.forEach((p, i) => {
    const eq = p.indexOf("=");
    if (eq < 0) {
      if (i === 0) name = p;
      return;
    }
    options.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  });
  const type = TYPE_WORDS[(options.get("type") ?? "text").toLowerCase()];
  if (!type) return null;
  const required = options.get("required")?.toLowerCase();
  return { name: name || TYPE_LABELS[type], type, role: options.get("role") || null, required: required === undefined ? true : required !== "false" };
}

/** `[type|req|signer1|label|id]`: Dropbox Sign's form. */
function bracketTag(type: string, req: string, signer: string, rest: string): TagSpec {
  const fieldType = TYPE_WORDS[type.toLowerCase()]!;
  const [, label, id] = rest.split("|");
  return { name: id?.trim() || label?.trim() || TYPE_LABELS[fieldType], type: fieldType, role: signer, required: req.toLowerCase() === "req" };
}

interface FoundTag {
  spec: TagSpec;
  /** The tag as written, braces or brackets included. */
  text: string;
  glyphs: PlacedGlyph[];
}

/** The tags of one page's text, with the glyphs that spell each. */
function tagsInText(text: PageText): FoundTag[] {
  let joined = "";
  const owner: number[] = [];
  text.glyphs.forEach((g, i) => {
    joined += g.text;
    for (let k = 0; k < g.text.length; k++) owner.push(i);
  });
  const found: FoundTag[] = [];
  for (const m of joined.matchAll(TAG_PATTERN)) {
    const spec = m[1] !== undefined ? braceTag(m[1]) : bracketTag(m[2]!, m[3]!, m[4]!, m[5] ?? "");
    if (!spec) continue;
    const first = owner[m.index]!;
    const last = owner[m.index + m[0].length - 1]!;
    found.push({ spec, text: m[0], glyphs: text.glyphs.slice(first, last + 1) });
  }
  return found;
}

/**
 * The most text tags a document may hold: a long contract with initials on every page for a few
 * signers has hundreds; tens of thousands (a few hundred KB of PDF) would make every envelope of
 * it tens of thousands of fields.
 */
export const MAX_TEXT_TAGS = 5000;

/** Every text tag of a document, page by page in reading order of the content streams. */
export function findTextTags(pdf: PDFDocument): TextTag[] {
  return pdf.getPages().flatMap((page, i) =>
    tagsInText(readPageText(page)).map((t) => ({ ...t.spec, page: i + 1, ...displayedBox(page, t.glyphs.flatMap(glyphQuad)) })));
}

/** An annotation also holds its text in /Contents (comment lists show it): a tag in its appearance goes from there too. */
function dropFromContents(annotation: PDFDict, tag: string): void {
  const contents = annotation.lookupMaybe(PDFName.of("Contents"), PDFString, PDFHexString)?.decodeText();
  if (contents?.includes(tag)) annotation.set(PDFName.of("Contents"), PDFHexString.fromText(contents.replace(tag, "")));
}

/**
 * Takes every tag's text out of the pages' content (the pages get new content streams: saved as
 * an incremental update they leave earlier revisions, and so earlier signatures, intact), on
 * the pages numbered in `onPages` (1-based; all when absent): findTextTags found the tags of
 * the others to be none. Returns how many tags were removed.
 */
export function removeTextTags(pages: PDFPage[], onPages?: readonly number[]): number {
  let removed = 0;
  for (const page of onPages ? onPages.map((n) => pages[n - 1]).filter((p) => p !== undefined) : pages) {
    const text = readPageText(page);
    const tags = tagsInText(text);
    if (!tags.length) continue;
    removeGlyphs(page, text, tags.flatMap((t) => t.glyphs));
    for (const tag of tags) {
      const by = text.streams[tag.glyphs[0]!.stream]!.drawnBy;
      if (by?.kind === "annotation") dropFromContents(by.annotation, tag.text);
    }
    removed += tags.length;
  }
  return removed;
}

