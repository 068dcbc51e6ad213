// The shortcuts fontkit-shared.ts takes through fontkit give fontkit's own results: the plain
// layout the glyphs fontkit's shaper gives, a subset written from the per-file glyph cache the
// outlines and advances of the face it came from.
import { describe, expect, test } from "bun:test";
import fontkit from "@pdf-lib/fontkit";
import sansPath from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "file" };
import sansBoldPath from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf" with { type: "file" };
import monoPath from "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf" with { type: "file" };
import serifItalicPath from "dejavu-fonts-ttf/ttf/DejaVuSerif-Italic.ttf" with { type: "file" };
// As fonts.ts does: fontkit's shapers for some scripts are generator code.
import "regenerator-runtime/runtime.js";
import { parseFace, PLAIN_FEATURES } from "../../src/pdf/fontkit-shared.ts";

const PLAIN_FACES = { sans: sansPath, bold: sansBoldPath, mono: monoPath, serifItalic: serifItalicPath };

/** A face as fontkit makes it, none of the shortcuts on its instance (its own copy of the file). */
const fontkitFace = (bytes: Uint8Array) => fontkit.create(Buffer.from(bytes)) as any;

/** A subset of the glyphs of `text`, written by fontkit-shared.ts, or with `fontkit: true` by fontkit's own encoder. */
const subsetBytes = (face: any, text: string, opts: { fontkit?: boolean } = {}) =>
  new Promise<Uint8Array>((resolve) => {
    const subset = face.createSubset();
    for (const glyph of face.layout(text, PLAIN_FEATURES).glyphs) subset.includeGlyph(glyph);
    if (opts.fontkit) subset.encodeStream = subset.encodeStream.fontkitEncodeStream;
    const parts: Uint8Array[] = [];
    subset.encodeStream().on("data", (b: Uint8Array) => parts.push(b)).on("end", () => resolve(Buffer.concat(parts)));
  });

describe("fontkit shortcuts", () => {
  for (const [name, path] of Object.entries(PLAIN_FACES)) {
    test(`${name}: the plain layout of every character, and of text, is fontkit's`, async () => {
      const bytes = await Bun.file(path).bytes();
      const ours = parseFace(bytes);
      const theirs = fontkitFace(bytes);
      const chars = (theirs.characterSet as number[]).map((cp) => String.fromCodePoint(cp));
      const ids = (face: any, text: string) => face.layout(text, PLAIN_FEATURES).glyphs.map((g: { id: number }) => g.id);
      for (const char of chars) expect(ids(ours, char)).toEqual(ids(theirs, char));
      // Runs of characters: what a feature left on by default (a ligature, a contextual form) would change.
      for (let i = 0; i < chars.length; i += 40) {
        const text = chars.slice(i, i + 40).join("");
        expect(ids(ours, text)).toEqual(ids(theirs, text));
      }
      // A variation selector and a soft hyphen: fontkit's own path.
      expect(ids(ours, "a\uFE00b\u00ADc")).toEqual(ids(theirs, "a\uFE00b\u00ADc"));
      expect(ours.layout("fi", PLAIN_FEATURES).glyphs.map((g) => g.advanceWidth)).toEqual(theirs.layout("fi", PLAIN_FEATURES).glyphs.map((g: any) => g.advanceWidth));
    });
  }

  for (const [name, path] of Object.entries(PLAIN_FACES)) {
    test(`${name}: a subset is written byte for byte as fontkit writes it`, async () => {
      const bytes = await Bun.file(path).bytes();
      // Short and long glyph offsets (over 64 KB of outlines); compound glyphs; glyphs met again.
      const texts = ["Ana Silva, ça été Å", (parseFace(bytes).characterSet as number[]).slice(0, 2500).map((cp) => String.fromCodePoint(cp)).join("")];
      for (const text of texts) {
        const ours = await subsetBytes(parseFace(bytes), text);
        expect(Buffer.from(ours).equals(Buffer.from(await subsetBytes(parseFace(bytes), text, { fontkit: true })))).toBe(true);
      }
    });
  }

  test("a subset's bytes come before a timer already set: its stream waits for no timer", async () => {
    const face = parseFace(await Bun.file(sansPath).bytes()) as any;
    const subset = face.createSubset();
    for (const glyph of face.layout("Ana Silva", PLAIN_FEATURES).glyphs) subset.includeGlyph(glyph);
    const order: string[] = [];
    const timer = new Promise<void>((resolve) => setTimeout(() => (order.push("timer"), resolve()), 0));
    const ended = new Promise<void>((resolve) =>
      subset.encodeStream().on("data", () => order.push("data")).on("end", () => (order.push("end"), resolve())));
    await Promise.all([ended, timer]);
    expect(order).toEqual(["data", "end", "timer"]);
  });

  test("a subset written from the shared glyph cache has the face's outlines and advances, compound glyphs included", async () => {
    const bytes = await Bun.file(sansPath).bytes();
    const original = fontkitFace(bytes);
    // Accented letters are compound glyphs in DejaVu: their components come into the subset too.
    const text = "Ana Silva — Γιώργος, Юлия, Nguyễn Văn An, çà ñ Å ő 0123456789 ñ";
    const compound = [...text].filter((c) => (original.glyphForCodePoint(c.codePointAt(0)!)._decode()?.numberOfContours ?? 0) < 0);
    expect(compound.length).toBeGreaterThan(3);
    // Twice from the cache (the second document finds every glyph in it), once more with other text first.
    for (const prefix of ["", "", "xyz ΩЖ "]) {
      const subset = fontkit.create(Buffer.from(await subsetBytes(parseFace(bytes), prefix + text))) as any;
      for (const char of new Set(prefix + text)) {
        const want = original.glyphForCodePoint(char.codePointAt(0)!);
        // The subset keeps no cmap: its glyphs are found in the order they were included (0 is .notdef).
        const order = [...new Set((parseFace(bytes).layout(prefix + text, PLAIN_FEATURES).glyphs as { id: number }[]).map((g) => g.id))];
        const got = subset.getGlyph(order.indexOf(want.id) + 1);
        expect(got.path.toSVG()).toBe(want.path.toSVG());
        expect(got.advanceWidth).toBe(want.advanceWidth);
      }
    }
  });
});
