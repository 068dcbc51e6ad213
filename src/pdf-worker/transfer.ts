/**
 * The buffers of the byte arrays in a task's arguments or result (at the top, or a few arrays
 * and plain objects deep: a document's bytes, a file's parts), to hand over to the other thread instead of copying them: a
 * structured clone of a 100 MB PDF held the event loop for ~50 ms. Whoever hands a buffer over
 * gives up every view of it; an array that is only part of its buffer is copied as before.
 */
export function buffersIn(values: unknown[]): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number) => {
    if (v instanceof Uint8Array) {
      // Only an array that is its whole buffer: a small Buffer is a view into a pool other Buffers share.
      if (v.buffer instanceof ArrayBuffer && v.byteLength > 0 && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) found.add(v.buffer);
    } else if (depth < 3 && v && typeof v === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) {
      for (const inner of Array.isArray(v) ? v : Object.values(v)) visit(inner, depth + 1);
    }
  };
  for (const v of values) visit(v, 0);
  return [...found];
}
