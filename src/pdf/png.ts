/** The structural check of a PNG image (a drawn signature) before any decoder sees it. */
import { nodeZlib } from "../node-builtins";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Largest drawn signature, in pixels per side (a signature pad is about 1500×500 at 3× density). */
export const MAX_PNG_SIDE = 4000;

/** Channels per colour type, and the bit depths each allows (PNG spec, table 11.1). */
const PNG_COLOUR: Record<number, { channels: number; depths: readonly number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

/** Adam7 passes: [x0, y0, dx, dy]. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/**
 * Why `b` is not a PNG image that can safely be decoded, or null when it is one: every chunk
 * inside the bytes with a good CRC, IHDR first (1 to MAX_PNG_SIDE pixels a side, a valid depth
 * and colour type, no unknown method), PLTE for an indexed image, IDAT, IEND, not animated, and
 * image data that inflates (output bounded) to exactly the scanlines IHDR announces, each with a
 * known filter. Bytes after IEND are ignored, as decoders do. pdf-lib's decoder, which stamps the
 * signature when the envelope is sealed, loops forever on a truncated stream: only what passes
 * here may reach it.
 */
export function pngProblem(b: Uint8Array): string | null {
  if (b.length < 8 || !PNG_MAGIC.every((v, i) => b[i] === v)) return "not a PNG file";
  const { crc32, inflateSync } = nodeZlib();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let header: { width: number; height: number; bitsPerPixel: number; colourType: number; interlaced: boolean } | null = null;
  let palette = false;
  const idat: Uint8Array[] = [];
  for (let off = 8; ; ) {
    if (b.length - off < 12) return "truncated (no IEND chunk)";
    const len = view.getUint32(off);
    const type = String.fromCharCode(b[off + 4]!, b[off + 5]!, b[off + 6]!, b[off + 7]!);
    const chunk = /^[A-Za-z]{4}$/.test(type) ? `the ${type} chunk` : "a chunk";
    if (len > b.length - off - 12) return `truncated (in ${chunk})`;
    if ((crc32(b.subarray(off + 4, off + 8 + len)) >>> 0) !== view.getUint32(off + 8 + len)) return `bad CRC in ${chunk}`;
    const data = b.subarray(off + 8, off + 8 + len);
    off += 12 + len;
    if (!header) {
      if (type !== "IHDR") return "IHDR is not the first chunk";
      if (len !== 13) return "bad IHDR";
      const width = view.getUint32(data.byteOffset - b.byteOffset);
      const height = view.getUint32(data.byteOffset - b.byteOffset + 4);
      const [depth, colourType, compression, filter, interlace] = data.subarray(8);
      const colour = PNG_COLOUR[colourType!];
      if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE)
        return `${width}×${height} pixels: at most ${MAX_PNG_SIDE}×${MAX_PNG_SIDE}`;
      if (!colour || !colour.depths.includes(depth!) || compression !== 0 || filter !== 0 || interlace! > 1) return "unsupported IHDR";
      header = { width, height, bitsPerPixel: depth! * colour.channels, colourType: colourType!, interlaced: interlace === 1 };
    } else if (type === "IHDR") return "two IHDR chunks";
    else if (type === "PLTE") palette = true;
    else if (type === "IDAT") idat.push(data);
    else if (type === "acTL" || type === "fcTL" || type === "fdAT") return "animated PNG";
    else if (type === "IEND") break;
  }
  if (!header) return "no IHDR";
  if (header.colourType === 3 && !palette) return "indexed image without PLTE";
  if (!idat.length) return "no image data";
  const h = header;
  const passes = (h.interlaced ? ADAM7 : [[0, 0, 1, 1] as const])
    .map(([x0, y0, dx, dy]) => ({ w: Math.ceil((h.width - x0) / dx), rows: Math.ceil((h.height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.rows > 0)
    .map((p) => ({ rows: p.rows, stride: 1 + Math.ceil((p.w * h.bitsPerPixel) / 8) }));
  const expected = passes.reduce((n, p) => n + p.rows * p.stride, 0);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch {
    return "corrupt or truncated image data";
  }
  if (raw.length !== expected) return "the image data does not match the size in IHDR";
  let at = 0;
  for (const p of passes)
    for (let row = 0; row < p.rows; row++, at += p.stride) if (raw[at]! > 4) return "unknown scanline filter";
  return null;
}

/** A complete, well-formed PNG of at most MAX_PNG_SIDE pixels a side (see pngProblem). */
export const isPng = (b: Uint8Array): boolean => pngProblem(b) === null;
