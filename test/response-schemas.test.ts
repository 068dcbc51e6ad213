import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TransformKind } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { ELYSIA_OPTIONS } from "../src/app";
import { AnswerInteger } from "../src/http/schemas";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * The app checks responses against their schemas without Elysia's encoding step
 * (`encodeSchema: false` in app.ts): that is only the same answer while no transform in a
 * response schema changes a value on the way out.
 */
describe("response schemas", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.stop());

  test("every transform in a response schema encodes a value as itself", () => {
    const seen = new Set<object>();
    let integers = 0;
    const changed: string[] = [];
    const walk = (schema: unknown, where: string) => {
      if (!schema || typeof schema !== "object" || seen.has(schema)) return;
      seen.add(schema);
      const transform = (schema as { [TransformKind]?: { Encode: (v: unknown) => unknown } })[TransformKind];
      if ((schema as { type?: unknown }).type === "integer") integers++;
      if (transform) {
        for (const sample of [0, 7, -3, 2.5, "12", "text", null, true]) if (!Object.is(transform.Encode(sample), sample)) changed.push(`${where}: ${JSON.stringify(sample)}`);
      }
      for (const [k, v] of Object.entries(schema)) walk(v, `${where}/${k}`);
    };
    for (const route of s.running.app.elysia.routes) walk((route.hooks as { response?: unknown }).response, `${route.method} ${route.path}`);
    expect(integers).toBeGreaterThan(30); // the walk reaches the answers' fields
    expect(changed).toEqual([]);
  });

  test("with those options a response that does not fit its schema is still refused", async () => {
    const app = new Elysia(ELYSIA_OPTIONS)
      .get("/fits", () => ({ n: 3 }), { response: t.Object({ n: AnswerInteger() }) })
      // Handlers whose answer breaks its schema: the type checker would refuse them as written.
      .get("/misfit", () => ({ n: "three" }) as unknown as { n: number }, { response: t.Object({ n: t.Integer() }) })
      // An answer's integer is a number: integer-looking text is what Elysia's t.Integer takes from a client.
      .get("/text", () => ({ n: "3" }) as unknown as { n: number }, { response: t.Object({ n: AnswerInteger() }) });
    expect((await app.handle(new Request("http://localhost/fits"))).status).toBe(200);
    expect((await app.handle(new Request("http://localhost/misfit"))).status).toBeGreaterThanOrEqual(400);
    expect((await app.handle(new Request("http://localhost/text"))).status).toBeGreaterThanOrEqual(400);
  });
});
