// sealPdf and saveIncremental over every file of the shared corpus.
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sealPdf, SealRefusedError } from "../../src/pdf/pades.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import type { Signer } from "../../src/pdf/signer.ts";
import { verifyPdf } from "../../src/pdf/verify.ts";
import { corpus, corpusDir, opensslP12, pdfsig, qpdfCheck, stamp, tempDir, type CorpusFile } from "./helpers-seal.ts";

const files = corpus();
const dir = tempDir();
let signer: Signer;

if (!files) {
  test.skip(`corpus folder ${corpusDir} is absent: corpus tests skipped`, () => {});
} else {
  beforeAll(async () => {
    signer = await loadSigner(opensslP12(dir, { key: "rsa", password: "pw" }), "pw", new Date(Date.now() + 5_000));
  });

  const isBroken = (f: CorpusFile) => f.category.split(";").includes("broken");
  const unreadable = new Set(["broken-not-a-pdf.pdf"]); // no PDF at all: nothing to seal
  const docMdpLocked = new Set(["signed-certified-docmdp-p1.pdf"]);

  /** The signatures pdfsig called valid before must still be valid, and the new last one covers the whole file. */
  function expectEarlierKeptAndLastTotal(before: Uint8Array, after: Uint8Array) {
    const old = pdfsig(dir, before).filter((s) => !s.unsigned);
    const now = pdfsig(dir, after).filter((s) => !s.unsigned);
    expect(now.length).toBe(old.length + 1);
    old.forEach((s, i) => expect(now[i]!.valid).toBe(s.valid));
    expect(now.at(-1)!.valid).toBe(true);
    expect(now.at(-1)!.total).toBe(true);
  }

  describe("sealPdf over the corpus", () => {
    test.each(files.map((f) => [f.file, f] as const))("%s", async (_name, f) => {
      const original = new Uint8Array(readFileSync(f.path));
      const seal = () => sealPdf(original, { signer, signingTime: new Date(), reason: "corpus" });
      if (f.encrypted || docMdpLocked.has(f.file)) {
        await expect(seal()).rejects.toBeInstanceOf(SealRefusedError);
        return;
      }
      if (unreadable.has(f.file)) {
        await expect(seal()).rejects.toThrow();
        return;
      }
      const sealed = await seal();
      expectEarlierKeptAndLastTotal(original, sealed);
      const { signatures } = await verifyPdf(sealed, { instanceCertificate: signer.certificateChain[0]! });
      expect(signatures.at(-1)).toMatchObject({ intact: true, coversWholeDocument: true, byThisInstance: true });
      // broken inputs keep (or are repaired of) their own damage; the others must stay clean
      if (!isBroken(f)) expect(qpdfCheck(dir, sealed).out).not.toContain("file is damaged");
    }, 60_000);
  });

  describe("saveIncremental (a drawing and a new page) over the corpus, then a seal", () => {
    test.each(files.filter((f) => !f.encrypted && !unreadable.has(f.file)).map((f) => [f.file, f] as const))("%s", async (_name, f) => {
      const original = new Uint8Array(readFileSync(f.path));
      if (docMdpLocked.has(f.file)) {
        await expect(stamp(original)).rejects.toBeInstanceOf(SealRefusedError);
        return;
      }
      const stamped = await stamp(original);
      const before = pdfsig(dir, original).filter((s) => !s.unsigned);
      const after = pdfsig(dir, stamped).filter((s) => !s.unsigned);
      expect(after.map((s) => s.valid)).toEqual(before.map((s) => s.valid));
      if (!isBroken(f)) expect(qpdfCheck(dir, stamped).out).not.toContain("file is damaged");
      const sealed = await sealPdf(stamped, { signer, signingTime: new Date() });
      expectEarlierKeptAndLastTotal(stamped, sealed);
    }, 60_000);
  });
}
