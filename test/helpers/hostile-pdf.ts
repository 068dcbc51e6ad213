/**
 * Hostile PDFs, generated deterministically: zip bombs of any inflated size in a few
 * hundred KB (built from one compressed segment of zeros repeated), and the damage a
 * probe would try (truncations, bit flips, broken xref, bad counts, cycles, encryption).
 */
import { constants, deflateRawSync } from "node:zlib";

const latin1 = (s: string) => Buffer.from(s, "latin1");

/** 16 MiB of zeros as raw deflate blocks ending on a byte boundary: segments chain. */
let segment: Buffer | null = null;
const SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * A zlib stream that inflates to `bytes` zeros (rounded up to 16 MiB segments).
 * Built by repeating one compressed segment: 1 GiB costs ~1 MB and no deflating.
 */
export function zeroBomb(bytes: number): Buffer {
  segment ??= deflateRawSync(new Uint8Array(SEGMENT_BYTES), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const count = Math.max(1, Math.ceil(bytes / SEGMENT_BYTES));
  const total = count * SEGMENT_BYTES;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array(count).fill(segment), Buffer.from([0x03, 0x00]), adler]);
}

/** A PDF from numbered object bodies (strings or bytes), with a correct classic xref table. */
export function buildPdf(objects: (string | Buffer)[], trailer = "", rootRef = "1 0 R"): Uint8Array {
  const parts: Buffer[] = [latin1("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const chunk = Buffer.concat([latin1(`${i + 1} 0 obj\n`), typeof body === "string" ? latin1(body) : body, latin1("\nendobj\n")]);
    offsets.push(offset);
    offset += chunk.length;
    parts.push(chunk);
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`)].join("");
  parts.push(latin1(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${rootRef} ${trailer}>>\nstartxref\n${offset}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

const stream = (dict: string, data: Buffer) => Buffer.concat([latin1(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, latin1("\nendstream")]);

const PAGE_OBJECTS = [
  "<< /Type /Catalog /Pages 2 0 R >>",
  "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
  "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
];

/** One page and an object stream that inflates to `bytes`. */
export const objectStreamBomb = (bytes: number) =>
  buildPdf([...PAGE_OBJECTS, stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", zeroBomb(bytes))]);

/** One page and `count` object streams of `each` bytes: under the per-stream bound, over the total one. */
export const manyStreamsBomb = (count: number, each: number) =>
  buildPdf([...PAGE_OBJECTS, ...Array.from({ length: count }, () => stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", zeroBomb(each)))]);

/** A valid one-page PDF with `count` small objects besides. */
export const manyObjectsPdf = (count: number) =>
  buildPdf([...PAGE_OBJECTS, ...Array.from({ length: count }, (_, i) => `<< /N ${i} >>`)]);

/** A page tree with a /Count that is not what sealing can use. */
export const badCountPdf = (count: string) =>
  buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", `<< /Type /Pages /Kids [3 0 R] /Count ${count} >>`, PAGE_OBJECTS[2]!]);

/** A page tree whose node is its own kid. */
export const cyclicPdf = () =>
  buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", PAGE_OBJECTS[2]!]);

/** Nested arrays `depth` deep in a page dictionary. */
export const deepPdf = (depth: number) =>
  buildPdf([...PAGE_OBJECTS.slice(0, 2), `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /X ${"[".repeat(depth)}${"]".repeat(depth)} >>`]);

/** A PDF that says it is encrypted. */
export const encryptedPdf = () => buildPdf([...PAGE_OBJECTS, "<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"], "/Encrypt 4 0 R /ID [<01> <01>]");

/** A deterministic pseudo-random generator (mulberry32): the same seed makes the same corpus. */
export function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `pdf` with `flips` random bits flipped. */
export function bitFlipped(pdf: Uint8Array, flips: number, rnd: () => number): Uint8Array {
  const out = new Uint8Array(pdf);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(rnd() * out.length);
    out[at] = out[at]! ^ (1 << Math.floor(rnd() * 8));
  }
  return out;
}
