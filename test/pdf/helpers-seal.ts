// Real tools for the sealing tests: openssl makes keys, PKCS#12 files and
// answers as a TSA; pdfsig and qpdf judge the results.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { saveIncremental, takeSnapshot } from "../../src/pdf/incremental.ts";

export { tempDir } from "../helpers/spawn.ts";

export function run(cmd: string[], cwd?: string): { code: number; out: string } {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, out: p.stdout.toString() + p.stderr.toString() };
}

export function must(cmd: string[], cwd?: string): string {
  const r = run(cmd, cwd);
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} failed:\n${r.out}`);
  return r.out;
}

let fileCounter = 0;
function writeTemp(dir: string, bytes: Uint8Array, ext: string): string {
  const path = join(dir, `f${++fileCounter}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

export type KeyKind = "rsa" | "p256" | "p384";
export type P12Encryption = "default" | "3des" | "rc2-40";

/** A self-signed key + certificate exported by `openssl pkcs12 -export`. */
export function opensslP12(
  dir: string,
  opts: { key: KeyKind; encryption?: P12Encryption; password: string; days?: number; keyUsage?: string; cn?: string },
): Uint8Array {
  const base = join(dir, `${opts.key}-${++fileCounter}`);
  const newkey = opts.key === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${opts.key === "p256" ? "P-256" : "P-384"}`];
  must([
    "openssl", "req", "-x509", ...newkey, "-nodes", "-keyout", `${base}.key`, "-out", `${base}.crt`,
    "-days", String(opts.days ?? 30), "-subj", `/CN=${opts.cn ?? `Seal Test ${opts.key}`}/O=Certyneo Tests`,
    "-addext", `keyUsage=critical,${opts.keyUsage ?? "digitalSignature,nonRepudiation"}`,
  ]);
  const pbe = {
    default: [],
    "3des": ["-legacy", "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES"],
    "rc2-40": ["-legacy", "-keypbe", "PBE-SHA1-RC2-40", "-certpbe", "PBE-SHA1-RC2-40"],
  }[opts.encryption ?? "default"];
  must(["openssl", "pkcs12", "-export", ...pbe, "-inkey", `${base}.key`, "-in", `${base}.crt`, "-out", `${base}.p12`, "-passout", `pass:${opts.password}`]);
  return new Uint8Array(readFileSync(`${base}.p12`));
}

export interface PdfsigSignature {
  field: string;
  valid: boolean;
  total: boolean;
  unsigned: boolean;
  text: string;
}

/** pdfsig's verdict per signature, in file order. */
export function pdfsig(dir: string, pdf: Uint8Array): PdfsigSignature[] {
  return parsePdfsig(run(["pdfsig", writeTemp(dir, pdf, "pdf")]).out);
}

/**
 * pdfsig judging trust through an NSS database; asynchronous, because pdfsig asks the
 * certificates' OCSP responders, which may be served by this very process.
 */
export async function pdfsigWithTrust(dir: string, pdf: Uint8Array, nssdir: string): Promise<PdfsigSignature[]> {
  const p = Bun.spawn(["pdfsig", "-nssdir", `sql:${nssdir}`, writeTemp(dir, pdf, "pdf")], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return parsePdfsig(out + err);
}

function parsePdfsig(out: string): PdfsigSignature[] {
  return out
    .split(/^Signature #\d+:/m)
    .slice(1)
    .map((text) => ({
      field: /Signature Field Name: (.*)/.exec(text)?.[1]?.trim() ?? "",
      valid: text.includes("Signature is Valid."),
      total: text.includes("- Total document signed"),
      unsigned: text.includes("is not signed"),
      text,
    }));
}

export function qpdfCheck(dir: string, pdf: Uint8Array): { code: number; out: string } {
  return run(["qpdf", "--check", writeTemp(dir, pdf, "pdf")]);
}

/** The last signature's /ByteRange and CMS (DER, padding stripped by openssl's reader). */
export function lastSignature(pdf: Uint8Array): { byteRange: number[]; cms: Uint8Array } {
  const text = Buffer.from(pdf).toString("latin1");
  const all = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const byteRange = all.at(-1)!.slice(1).map(Number);
  const contents = Buffer.from(text.slice(byteRange[1]! + 1, byteRange[2]! - 1), "hex");
  return { byteRange, cms: new Uint8Array(contents.subarray(0, derLength(contents))) };
}

/**
 * The length of the DER value at the start of `bytes` (tag, length, content), so the zero
 * padding of /Contents is cut exactly: trimming trailing zeros would also cut a signature
 * whose last bytes happen to be zero.
 */
function derLength(bytes: Uint8Array): number {
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + count + length;
}

export function cmsPrint(dir: string, cms: Uint8Array): string {
  return must(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", writeTemp(dir, cms, "der")]);
}

/** `openssl cms -verify` of the CMS over the ByteRange bytes (signature and digest, not the chain). */
export function cmsVerify(dir: string, pdf: Uint8Array): { code: number; out: string } {
  const { byteRange, cms } = lastSignature(pdf);
  const [, a, b, c] = byteRange as [number, number, number, number];
  const content = Buffer.concat([pdf.subarray(0, a), pdf.subarray(b, b + c)]);
  return run([
    "openssl", "cms", "-verify", "-binary", "-noverify", "-inform", "DER",
    "-in", writeTemp(dir, cms, "der"), "-content", writeTemp(dir, content, "bin"), "-out", "/dev/null",
  ]);
}

/** A small PDF made with pdf-lib; `objectStreams` false gives a classic xref table. */
export async function makePdf(opts: { pages?: number; objectStreams?: boolean } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < (opts.pages ?? 1); i++) doc.addPage([595, 842]).drawText(`Page ${i + 1}`, { x: 50, y: 780, font, size: 18 });
  return doc.save({ useObjectStreams: opts.objectStreams ?? true });
}

/**
 * A local RFC 3161 TSA: `openssl ts -reply` behind Bun.serve. Its certificate is self-signed,
 * or `signer` (tsa.crt and tsa.key already in `dir`, e.g. issued by a test PKI); `certs`: a PEM
 * file of the certificates its tokens carry.
 */
export function startTsa(dir: string, opts: { certs?: string; signer?: "given" } = {}): { url: string; stop: () => void } {
  if (!opts.signer) {
    must([
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "tsa.key"), "-out", join(dir, "tsa.crt"),
      "-days", "30", "-subj", "/CN=Certyneo Test TSA",
      "-addext", "extendedKeyUsage=critical,timeStamping", "-addext", "keyUsage=critical,digitalSignature",
    ]);
  }
  writeFileSync(join(dir, "tsaserial"), "01\n");
  writeFileSync(
    join(dir, "tsa.cnf"),
    `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = ${opts.certs ?? "$dir/tsa.crt"}
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  let n = 0;
  const server = Bun.serve({
    port: 0,
    async fetch(req) {
      const id = ++n;
      const query = join(dir, `q${id}.tsq`);
      const reply = join(dir, `r${id}.tsr`);
      writeFileSync(query, new Uint8Array(await req.arrayBuffer()));
      const r = run(["openssl", "ts", "-reply", "-config", join(dir, "tsa.cnf"), "-queryfile", query, "-out", reply]);
      if (r.code !== 0) return new Response(r.out, { status: 500 });
      return new Response(readFileSync(reply), { headers: { "content-type": "application/timestamp-reply" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/tsa`, stop: () => server.stop(true) };
}

export { corpus, CORPUS_DIR as corpusDir, type CorpusEntry as CorpusFile } from "../helpers/pdf.ts";

/** What the other engineer does: load, snapshot, draw (a font, text, a rectangle, a new page), flush, save incrementally. */
export async function stamp(original: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(original, { updateMetadata: false });
  const snapshot = takeSnapshot(doc);
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.getPage(0);
  page.drawRectangle({ x: 10, y: 10, width: 40, height: 20, color: rgb(0.1, 0.3, 0.8) });
  page.drawText("Signed", { x: 12, y: 14, size: 10, font });
  doc.addPage([200, 200]).drawText("Certificate of completion", { x: 10, y: 100, size: 8, font });
  await doc.flush();
  return saveIncremental(original, doc, snapshot);
}
