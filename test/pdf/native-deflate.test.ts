// The streams pdf-lib writes are compressed by libdeflate in the zlib format PDF readers expect.
import { expect, test } from "bun:test";
import { inflateSync } from "node:zlib";
import { zlibDeflate } from "../../src/pdf/native-deflate.ts";

/** Deterministic bytes of a given redundancy: text-like, and noise (which deflate cannot shrink). */
function sample(n: number, noise: boolean): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = noise ? x >>> 24 : 32 + ((i * 7 + (i >> 6)) % 60);
  }
  return out;
}

test("zlib format: header, deflate data and the Adler-32, read back by zlib's own inflate (which checks both)", () => {
  for (const data of [new Uint8Array(0), sample(1, false), sample(300, false), sample(70_000, false), sample(70_000, true)]) {
    const out = zlibDeflate(data);
    expect(((out[0]! << 8) | out[1]!) % 31).toBe(0);
    expect(out[0]! & 0x0f).toBe(8);
    expect(Buffer.from(inflateSync(out)).equals(Buffer.from(data))).toBe(true);
    // A corrupted checksum is refused: the trailer is the data's Adler-32, not filler.
    const bad = out.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => inflateSync(bad)).toThrow();
  }
  expect(zlibDeflate(sample(70_000, false)).length).toBeLessThan(7_000);
});
