// Byte helpers shared by the PDF code (CMS, time-stamps, verification, incremental writes, font subsets).

export const bytesOf = (a: ArrayBuffer | Uint8Array): Uint8Array => (a instanceof Uint8Array ? a : new Uint8Array(a));

/** Same octets, whatever the container. */
export const sameBytes = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean =>
  Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(b)));

/** A standalone ArrayBuffer holding exactly the view's bytes (ASN.1 schemas want ArrayBuffers). */
export const toArrayBuffer = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

/** The parts one after the other, in one new array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
