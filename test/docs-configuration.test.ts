/**
 * docs/configuration.md names every setting of certyneo.config.ts, and no setting that is not
 * there. A row may group settings of one section: "smtp.host / port / secure" names smtp.port too.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import defaults from "../certyneo.config";

const leaves = (o: Record<string, unknown>, prefix = ""): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === "object" && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [prefix + k]));

/** The settings the table's first column names, a group's short names completed with its first one's section. */
function documented(markdown: string): string[] {
  const rows = markdown.split("\n").flatMap((line) => /^\| ([^|]+) \|/.exec(line)?.[1] ?? []).slice(1);
  return rows.flatMap((cell) => {
    const parts = cell.replace(/\s*\(.*$/, "").split(" / ").map((p) => p.trim());
    const section = parts[0]!.slice(0, parts[0]!.lastIndexOf(".") + 1);
    return parts.map((p) => (p.includes(".") ? p : section + p));
  });
}

test("every setting has its row, and every row is a setting", () => {
  const named = documented(readFileSync(join(import.meta.dir, "../docs/configuration.md"), "utf8"));
  const settings = leaves(defaults);
  expect(settings.filter((s) => !named.includes(s))).toEqual([]);
  expect(named.filter((n) => !settings.includes(n))).toEqual([]);
});
