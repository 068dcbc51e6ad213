import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, run } from "./helpers/spawn";

const tsc = (project: string) => run([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", join(ROOT, project)]);

test("the project type-checks (tsc --noEmit)", () => {
  const r = tsc(".");
  expect(r.stdout + r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 120_000);

test("the signer page's scripts type-check against the DOM and the API's schemas (// @ts-check, JSDoc)", () => {
  const r = tsc("src/modules/signing/page/tsconfig.browser.json");
  expect(r.stdout + r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 120_000);
