/**
 * A bulk-send CSV as rows: RFC 4180 (quoted fields may hold commas, quotes as "", line breaks),
 * a header line, then one envelope per line. Columns `Role.email`, `Role.name` and `Role.phone`
 * make the row's recipients; every other column is a prefill value under its header. Empty
 * cells are left out.
 */
import { invalid } from "../../errors";

function records(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.some((v) => v !== "")) out.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  row.push(cell);
  if (row.some((v) => v !== "")) out.push(row);
  return out;
}

const ROLE_COLUMN = /^(.+)\.(email|name|phone)$/;

export function csvRows(text: string): unknown[] {
  const [header, ...lines] = records(text.replace(/^\ufeff/, ""));
  if (!header) throw invalid([{ pointer: "/file", message: "the CSV is empty: a header line and one line per envelope" }], "Invalid CSV");
  const columns = header.map((h) => h.trim());
  if (!columns.some((c) => ROLE_COLUMN.test(c)))
    throw invalid([{ pointer: "/file", message: "no recipient columns: name them Role.email and Role.name (e.g. Employee.email)" }], "Invalid CSV");
  return lines.map((cells) => {
    const people = new Map<string, Record<string, string>>();
    const prefill: Record<string, string> = {};
    columns.forEach((column, i) => {
      const value = (cells[i] ?? "").trim();
      if (!value) return;
      const m = ROLE_COLUMN.exec(column);
      if (m) people.set(m[1]!, { ...people.get(m[1]!), roleName: m[1]!, [m[2]!]: value });
      else prefill[column] = value;
    });
    return { recipients: [...people.values()], ...(Object.keys(prefill).length ? { prefill } : {}) };
  });
}
