import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { GENERATED, generatedFiles } from "../sdk/scripts/generate";
import type { OpenApi } from "../sdk/scripts/openapi";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(() => { s = startTestServer(); });
afterAll(() => s.stop());

test("the SDKs' generated types match the server's OpenAPI document (else: npm run sdk:generate)", async () => {
  const spec = (await (await fetch(`${s.url}/openapi.json`)).json()) as OpenApi;
  const files = generatedFiles(spec);
  for (const kind of Object.keys(GENERATED) as (keyof typeof GENERATED)[]) {
    expect(readFileSync(GENERATED[kind], "utf8"), `${GENERATED[kind]} is stale: run npm run sdk:generate`).toBe(files[kind]);
  }
  // Every titled schema and every operation made it into the TypeScript module.
  for (const title of ["Envelope", "Document", "Problem", "CreatedWebhook"]) expect(files.typescript).toContain(`export interface ${title} `);
  for (const [path, ops] of Object.entries(spec.paths))
    for (const method of Object.keys(ops)) expect(files.typescript).toContain(`"${method.toUpperCase()} ${path}": {`);
});
