import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { GENERATED, generatedFiles } from "../sdk/scripts/generate";
import type { OpenApi, Schema } from "../sdk/scripts/openapi";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
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

test("a title names one shape: prose may differ, structure may not", () => {
  const doc = (a: Schema, b: Schema): OpenApi => ({ paths: { "/a": { get: { responses: { "200": { content: { "application/json": { schema: a } } } } } }, "/b": { get: { responses: { "200": { content: { "application/json": { schema: b } } } } } } } });
  const thing = (extra: Schema): Schema => ({ title: "Thing", type: "object", required: ["n"], properties: { n: { type: "integer", ...extra } } });
  expect(generatedFiles(doc(thing({ description: "first" }), thing({ description: "second" }))).typescript).toContain("/** first */\n  n: number;");
  expect(() => generatedFiles(doc(thing({}), { ...thing({}), properties: { n: { type: "string" } } }))).toThrow("titled Thing");
});

test("the emitters map the server's schema idioms", () => {
  const schema: Schema = {
    title: "Sample", type: "object", required: ["count", "state", "tags"],
    properties: {
      count: { anyOf: [{ type: "string", format: "integer" }, { type: "integer" }] },
      state: { type: ["string", "null"], enum: ["A", "B"] },
      tags: { type: "object", patternProperties: { "^(.*)$": { type: "string" } } },
      note: { type: ["string", "null"] },
    },
  };
  const files = generatedFiles({ paths: { "/s": { post: { requestBody: { content: { "application/json": { schema } } }, responses: { "201": { content: { "application/pdf": {} } } } } } } });
  expect(files.typescript).toContain("count: number;\n  state: \"A\" | \"B\" | null;\n  tags: Record<string, string>;\n  note?: string | null;");
  expect(files.typescript).toContain('"POST /s": {\n    path: {};\n    query: {};\n    body: Sample;\n    response: "binary";');
  expect(files.python).toContain("class _SampleRequired(TypedDict):\n    count: int\n    state: Optional[Literal[\"A\", \"B\"]]\n    tags: Dict[str, str]");
  expect(files.python).toContain("class Sample(_SampleRequired, total=False):\n    note: Optional[str]");
});
