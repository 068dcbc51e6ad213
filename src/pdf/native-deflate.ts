/**
 * pdf-lib compresses every stream it writes (page content, font subsets, ToUnicode maps) with
 * pako, a zlib written in JavaScript: a sixth of stamping a sealed document went there. The
 * format is the same (RFC 1950 zlib at the default level), so pdf-lib's calls go to the
 * runtime's zlib instead. pdf-lib reads `pako.deflate` at each call; fonts.ts and
 * incremental.ts, which every PDF writer loads, import this module for its effect.
 */
import pako from "pako";
import { deflateSync } from "node:zlib";

pako.deflate = (data: Uint8Array) => {
  const out = deflateSync(data);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};
