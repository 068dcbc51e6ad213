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
  // A file given to the sealing task with nothing to do but hash it: it comes back, with its SHA-256.
  const plan = (file: Uint8Array) => ({ source: { sealed: { bytes: file } }, directory: null });

  test("handOver: the caller's array is emptied, the worker's answer brings the same bytes back", async () => {
    const file = bytes(300_000, 1);
    const expected = file.slice();
    const back = await pdf.handOver("sealFile", plan(file));
    expect(file.byteLength).toBe(0); // moved, not copied
    expect(back?.parts).toEqual([expected]);
    expect(back?.sha256).toBe(sha256Of([expected]));
  });

  test("an array that is only part of its buffer is copied, and its buffer's other views stay whole", async () => {
    const shared = bytes(4096, 3);
    const view = shared.subarray(100, 200);
    const back = await pdf.handOver("sealFile", plan(view));
    expect(view.byteLength).toBe(100);
    expect(shared.byteLength).toBe(4096);
    expect(back?.parts).toEqual([shared.slice(100, 200)]);
  });

  test("run: the caller keeps its bytes (a copy goes to the worker)", async () => {
    const file = bytes(50_000, 4);
    const back = await pdf.run("sealFile", plan(file));
    expect(file.byteLength).toBe(50_000);
    expect(back?.sha256).toBe(sha256Of([file]));
  });
});
