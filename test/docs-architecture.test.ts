import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/spawn";

/**
 * The paths the page describes: the folder a section is titled with (`src/http/`,
 * `src/modules/<x>/`), and what its table names in the first column, relative to that folder.
 */
function describedPaths(): string[] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  return doc.split(/^## /m).slice(1).flatMap((section) => {
    const base = /^[^\n`]*`([^`\n]+)`/.exec(section)?.[1]?.replace("<x>/", "") ?? "";
    const rows = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([^`]+)`/g)].map((m) => base + m[1]!));
    return base ? [base, ...rows] : rows;
  });
}

const dirs = (path: string) => readdirSync(join(ROOT, path), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${path}/${e.name}/`);

describe("docs/architecture.md (where to find what) stays true", () => {
  const described = describedPaths();

  test("every path it names exists", () => {
    expect(described.length).toBeGreaterThan(20);
    for (const path of described.filter((p) => !p.includes("*"))) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  test("every folder of src/ and every module is described", () => {
    for (const dir of [...dirs("src").filter((d) => d !== "src/modules/"), ...dirs("src/modules")]) expect(described, dir).toContain(dir);
  });
});
