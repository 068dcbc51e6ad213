/**
 * The executable redistributes packages (code, fonts, pdf.js, Swagger UI) whose licenses ask to
 * travel with them: `certyneo licenses` prints them, from a file generated from the build's own
 * module graph, which must match what the build bundles today.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { noticesText, NOTICES_FILE } from "../scripts/third-party-notices";
import { BUN, ROOT, run } from "./helpers/spawn";

test("src/third-party-notices.txt is what the build bundles now (npm run notices after a dependency change)", async () => {
  expect(readFileSync(NOTICES_FILE, "utf8")).toBe(await noticesText());
});

test("certyneo licenses prints every bundled package's license, the fonts' OFL and pdf.js's Apache licence among them", () => {
  const r = run([BUN, "src/main.ts", "licenses"], { cwd: ROOT });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(readFileSync(join(ROOT, "src/third-party-notices.txt"), "utf8"));
  for (const name of ["pdf-lib 1.17.1", "pdfjs-dist ", "dejavu-fonts-ttf ", "@expo-google-fonts/noto-emoji ", "elysia ", "drizzle-orm ", "@peculiar/x509 ", "swagger-ui-dist "])
    expect(r.stdout, name).toContain(`\n${name}`);
  expect(r.stdout).toContain("SIL OPEN FONT LICENSE");
  expect(r.stdout).toContain("Apache License");
  // Development tools are not in the executable, so not in its notices.
  for (const dev of ["playwright-core", "typescript ", "drizzle-kit", "smtp-server"]) expect(r.stdout).not.toContain(`\n${dev}`);
});
