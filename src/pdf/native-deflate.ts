/**
 * pdf-lib compresses every stream it writes (page content, font subsets, ToUnicode maps, images)
 * with pako, a zlib written in JavaScript: a sixth of stamping a sealed document went there. Its
 * calls go to the libdeflate Bun ships instead, at its fastest level: for a sealed document's
 * streams a quarter of the time of zlib's default level, the output within 2 % of its size. PDF's
 * FlateDecode is the zlib format (RFC 1950) and Bun writes raw DEFLATE, so the two-byte header
 * and the data's Adler-32 are added here. pdf-lib reads `pako.deflate` at each call; fonts.ts and
 * incremental.ts, which every PDF writer loads, import this module for its effect.
 */
import pako from "pako";

/** CM 8 (deflate), a 32 KB window, FLEVEL 0 (fastest), no dictionary; 0x7801 is a multiple of 31, as FCHECK requires. */
const ZLIB_HEADER = [0x78, 0x01];

export function zlibDeflate(data: Uint8Array): Uint8Array {
  const raw = Bun.deflateSync(data as Uint8Array<ArrayBuffer>, { library: "libdeflate", level: 1 });
  const out = new Uint8Array(raw.length + 6);
  out.set(ZLIB_HEADER);
  out.set(raw, 2);
  new DataView(out.buffer).setUint32(raw.length + 2, Bun.hash.adler32(data));
  return out;
}

pako.deflate = zlibDeflate;
