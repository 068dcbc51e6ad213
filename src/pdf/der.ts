/**
 * DER framing (X.690 8.1.2-8.1.3) around elements already encoded: how the seal's CMS and its
 * ECDSA signature value are built. The ASN.1 schemas' object model cost a seal most of its time
 * on the main thread (a CMS took ~0.5 ms there, for a signature of 0.07 ms).
 */

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, SEQUENCE: 0x30, SET: 0x31 } as const;

/** `parts` in one element of `tag`, with its definite length. */
export function derFrame(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const lengthBytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n % 256);
  const head = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** DER orders SET OF elements by their encodings, compared as zero-padded octet strings (X.690 11.6). */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The INTEGER of an unsigned big-endian number: its leading zero bytes dropped, one put back where the high bit is set (INTEGER is signed). */
export function derUnsignedInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return derFrame(TAG.INTEGER, trimmed[0]! & 0x80 ? [Uint8Array.of(0), trimmed] : [trimmed]);
}
