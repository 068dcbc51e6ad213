import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, run } from "./helpers/spawn";

test("the project type-checks (tsc --noEmit)", () => {
  const r = run([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", ROOT]);
  expect(r.stdout + r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 120_000);
