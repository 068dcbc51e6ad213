/**
 * A bulk-send CSV as rows: UTF-8, RFC 4180 (quoted fields may hold commas, quotes as "", line
 * breaks), a header line, then one envelope per line; empty lines are skipped. Columns
 * `Role.email`, `Role.name` and `Role.phone` make the row's recipients; every other column is a
 * prefill value under its header. Empty cells are left out.
 *
 * A file that cannot be read as the rows its author meant is refused whole, naming the lines:
 * not UTF-8, a quote never closed (it would swallow every line after it into one cell), a line
 * with more values than the header (an unquoted comma shifts the values into other columns),
 * separators other than commas, or a column named twice.
 */
import { invalid, type FieldError } from "../../errors";

interface CsvRecord {
  cells: string[];
  /** The line (from 1) the record starts on. */
  line: number;
}

const refuse = (errors: FieldError[]) => invalid(errors, "Invalid CSV");

function records(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let quoteLine = 0;
  const endRecord = () => {
    row.push(cell);
    if (row.some((v) => v !== "")) out.push({ cells: row, line: start });
    row = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") { quoted = true; quoteLine = line; }
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") { i++; line++; }
      endRecord();
      start = line;
    } else cell += c;
  }
  if (quoted) throw refuse([{ pointer: "/file", message: `line ${quoteLine}: a quoted value is never closed (a " is missing)` }]);
  endRecord();
  return out;
}

/** Lines a refusal names one by one; a file broken throughout (a million of them) is summed up after these. */
const NAMED_LINES = 20;

const ROLE_COLUMN = /^(.+)\.(email|name|phone)$/i;

/**
 * The CSV file's text: UTF-8 (a byte order mark is dropped), or a 422 rather than names with "�"
 * in them. A NUL is refused too, naming its line: no cell takes one (a JSON body's is refused as
 * well), and on PostgreSQL the row's envelope could not be written, nor its job's error.
 */
export function csvText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw refuse([{ pointer: "/file", message: "the CSV is not UTF-8: save it as \"CSV UTF-8\"" }]);
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) throw refuse([{ pointer: "/file", message: `line ${text.slice(0, nul).split("\n").length} holds a NUL character, which no cell takes: is it a CSV file, saved as "CSV UTF-8"?` }]);
  return text;
}

/** The header's columns, or the reasons they cannot be used. */
function headerColumns(header: CsvRecord): string[] {
  const columns = header.cells.map((h) => h.trim());
  const separator = columns.length === 1 ? [";", "\t"].find((s) => columns[0]!.includes(s)) : undefined;
  if (separator) throw refuse([{ pointer: "/file", message: `the columns are separated by ${separator === ";" ? "semicolons" : "tabs"}: separate them with commas` }]);
  if (!columns.some((c) => ROLE_COLUMN.test(c)))
    throw refuse([{ pointer: "/file", message: "no recipient columns: name them Role.email and Role.name (e.g. Employee.email)" }]);
  const seen = new Set<string>();
  // Roles are named ignoring case, field labels exactly.
  const key = (c: string) => (ROLE_COLUMN.test(c) ? c.toLowerCase() : c);
  const twice = columns.filter((c) => c !== "" && (seen.has(key(c)) || !seen.add(key(c))));
  if (twice.length) throw refuse([...new Set(twice)].map((c) => ({ pointer: "/file", message: `the column "${c}" is named twice in the header` })));
  return columns;
}

export function csvRows(text: string): unknown[] {
  const [header, ...lines] = records(text.replace(/^\ufeff/, ""));
  if (!header) throw refuse([{ pointer: "/file", message: "the CSV is empty: a header line and one line per envelope" }]);
  const columns = headerColumns(header);
  const long = lines.filter((r) => r.cells.slice(columns.length).some((v) => v.trim() !== ""));
  if (long.length)
    throw refuse([
      ...long.slice(0, NAMED_LINES).map((r) => ({
        pointer: "/file", message: `line ${r.line}: ${r.cells.length} values for ${columns.length} columns (quote a value that holds a comma)`,
      })),
      ...(long.length > NAMED_LINES ? [{ pointer: "/file", message: `and ${long.length - NAMED_LINES} more lines with more values than columns` }] : []),
    ]);
  return lines.map(({ cells }) => {
    const people = new Map<string, Record<string, string>>();
    const prefill: Record<string, string> = {};
    columns.forEach((column, i) => {
      const value = (cells[i] ?? "").trim();
      if (!value) return;
      const m = ROLE_COLUMN.exec(column);
      if (!m) { prefill[column] = value; return; }
      const role = m[1]!.toLowerCase();
      people.set(role, { roleName: m[1]!, ...people.get(role), [m[2]!.toLowerCase()]: value });
    });
    return { recipients: [...people.values()], ...(Object.keys(prefill).length ? { prefill } : {}) };
  });
}
