import { escapeHtml } from "../../escape-html";

/**
 * Server-rendered HTML for the console. `html` escapes every interpolated value unless it is
 * already Html (another html`` fragment), so data from the database never becomes markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return "";
  if (Array.isArray(v)) return v.map(render).join("");
  if (v instanceof Html) return v.text;
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Html(out);
}

/** A URL with query parameters (empty ones left out). */
export function href(path: string, params: Record<string, string | number | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
