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

/** A named hostile input. */
export interface Hostile {
  name: string;
  bytes: Uint8Array;
}

/** `pdf` with its startxref offset replaced. */
const withStartxref = (pdf: Uint8Array, offset: string) => {
  const text = Buffer.from(pdf).toString("latin1");
  return new Uint8Array(Buffer.from(text.replace(/startxref\s+\d+/, `startxref\n${offset}`), "latin1"));
};

/** `pdf` with `find` replaced (first occurrence). */
const patched = (pdf: Uint8Array, find: string | RegExp, by: string) =>
  new Uint8Array(Buffer.from(Buffer.from(pdf).toString("latin1").replace(find, by), "latin1"));

/**
 * The hostile PDF corpus, the same for a seed: truncations, bit flips, broken xref, bombs,
 * deep nesting, huge or absurd counts, cycles, encryption, huge object counts, non-PDFs.
 * `bases` are valid PDFs to damage (one with an xref stream, one with a classic table).
 */
export function hostileCorpus(seed: number, bases: Uint8Array[]): Hostile[] {
  const rnd = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: Hostile[] = [];
  const add = (name: string, bytes: Uint8Array) => out.push({ name, bytes });
  for (let i = 0; i < 100; i++) {
    const base = pick(bases);
    add(`truncated-${i}`, base.subarray(0, Math.floor(rnd() * base.length)));
  }
  for (let i = 0; i < 300; i++) add(`bitflip-${i}`, bitFlipped(pick(bases), 1 + Math.floor(rnd() * 8), rnd));
  for (let i = 0; i < 40; i++) add(`startxref-${i}`, withStartxref(pick(bases), String(Math.floor(rnd() * 1e6))));
  for (let i = 0; i < 20; i++) {
    const classic = bases.find((b) => Buffer.from(b).includes("xref\n0 ")) ?? bases[0]!;
    add(`xref-table-${i}`, patched(classic, /\n(\d{10}) 00000 n/, `\n${String(Math.floor(rnd() * 1e10)).padStart(10, "0")} 00000 n`));
  }
  for (const size of [64, 256, 1024, 2048]) add(`objstm-bomb-${size}MiB`, objectStreamBomb(size * 1024 * 1024));
  for (const n of [5, 10, 20]) add(`many-streams-bomb-${n}x16MiB`, manyStreamsBomb(n, 16 * 1024 * 1024));
  add("xref-stream-bomb-1GiB", buildPdf([...PAGE_OBJECTS, stream("/Type /XRef /Size 5 /W [1 2 1] /Filter /FlateDecode", zeroBomb(1024 ** 3))]));
  for (const depth of [65, 100, 1000, 10_000, 100_000, 500_000]) add(`deep-${depth}`, deepPdf(depth));
  for (const count of ["-1", "0", "3.5", "1000000000", "2147483648", "1e9", "/Two", "(two)", "null", "[1 2]", "<<>>", "99999999999999999999"]) add(`count-${count}`, badCountPdf(count));
  for (const n of ["1000000000", "-5", "0", "2.5"]) add(`objstm-N-${n}`, buildPdf([...PAGE_OBJECTS, stream(`/Type /ObjStm /N ${n} /First 4`, Buffer.from("5 0 << >>"))]));
  add("cycle-kids", cyclicPdf());
  add("cycle-parent", buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>", "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] >>"]));
  add("cycle-self-ref", buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox 3 0 R >>"]));
  add("catalog-is-pages", buildPdf(["<< /Type /Pages /Kids [1 0 R] /Count 1 >>"]));
  add("no-catalog", buildPdf(PAGE_OBJECTS.slice(1), "", "9 0 R"));
  add("root-not-dict", buildPdf(["[1 2 3]"]));
  add("mediabox-absurd", buildPdf([...PAGE_OBJECTS.slice(0, 2), "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 -1e30] >>"]));
  add("mediabox-strings", buildPdf([...PAGE_OBJECTS.slice(0, 2), "<< /Type /Page /Parent 2 0 R /MediaBox [(a) (b) (c) (d)] /Rotate 45 >>"]));
  for (let i = 0; i < 10; i++) add(`encrypted-${i}`, i % 2 ? encryptedPdf() : patched(pick(bases), /trailer\s*<</, "trailer\n<< /Encrypt << /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>"));
  for (const n of [50_000, 150_000]) add(`objects-${n}`, manyObjectsPdf(n));
  add("empty", new Uint8Array(0));
  add("header-only", new Uint8Array(Buffer.from("%PDF-1.7\n%%EOF\n")));
  add("html", new Uint8Array(Buffer.from("<!doctype html><title>not a pdf</title>")));
  for (let i = 0; i < 20; i++) {
    const noise = new Uint8Array(256 + Math.floor(rnd() * 4096)).map(() => Math.floor(rnd() * 256));
    add(`noise-${i}`, i % 2 ? noise : new Uint8Array(Buffer.concat([Buffer.from("%PDF-1.7\n"), noise, Buffer.from("\n%%EOF\n")])));
  }
  return out;
}
