import { afterAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { createPdfWorkers } from "../src/pdf-worker/pool";
import { sha256Of } from "../src/store/files";
import { tempDir } from "./helpers/spawn";

/** Files handed over to a PDF worker travel without a copy, and come back the same. */
describe("handing bytes over to a PDF worker", () => {
  const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-transfer-") });
  const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
  afterAll(() => pdf.close());

  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

  test("handOver: the caller's arrays are emptied, the worker's answer brings the same bytes back", async () => {
    const parts = [bytes(300_000, 1), bytes(1_000, 2)];
    const expected = parts.map((p) => p.slice());
    const { sha256, parts: back } = await pdf.handOver("sha256Parts", parts);
    expect(parts.map((p) => p.byteLength)).toEqual([0, 0]); // moved, not copied
    expect(back).toEqual(expected);
    expect(sha256).toBe(sha256Of(expected));
  });

  test("an array that is only part of its buffer is copied, and its buffer's other views stay whole", async () => {
    const shared = bytes(4096, 3);
    const view = shared.subarray(100, 200);
    const { parts: back } = await pdf.handOver("sha256Parts", [view]);
    expect(view.byteLength).toBe(100);
    expect(shared.byteLength).toBe(4096);
    expect(back[0]).toEqual(shared.slice(100, 200));
  });

  test("run: the caller keeps its bytes (a copy goes to the worker)", async () => {
    const part = bytes(50_000, 4);
    const { sha256 } = await pdf.run("sha256Parts", [part]);
    expect(part.byteLength).toBe(50_000);
    expect(sha256).toBe(sha256Of([part]));
  });
});
