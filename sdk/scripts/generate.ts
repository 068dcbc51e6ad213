/**
 * Regenerates the SDKs' types from the server's OpenAPI document: `npm run sdk:generate`.
 * Builds the server on a temporary data directory (the same way the tests do), reads
 * /openapi.json and writes the TypeScript and Python type modules. test/sdk-generated.test.ts
 * fails while the committed files differ from what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../../test/helpers/server";
import { emitPython } from "./emit-python";
import { emitTypeScript } from "./emit-typescript";
import type { OpenApi } from "./openapi";

export const GENERATED = {
  typescript: join(import.meta.dir, "../typescript/src/generated.ts"),
  python: join(import.meta.dir, "../python/certyneo/types.py"),
};

export function generatedFiles(spec: OpenApi): Record<keyof typeof GENERATED, string> {
  return { typescript: emitTypeScript(spec), python: emitPython(spec) };
}

if (import.meta.main) {
  const server = await startTestServer();
  try {
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApi;
    const files = generatedFiles(spec);
    for (const kind of Object.keys(GENERATED) as (keyof typeof GENERATED)[]) {
      writeFileSync(GENERATED[kind], files[kind]);
      console.log(`wrote ${GENERATED[kind]}`);
    }
  } finally {
    await server.stop();
  }
}
