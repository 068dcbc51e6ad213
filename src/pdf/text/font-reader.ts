/**
 * What a page's text needs from its fonts: how its string bytes split into character codes,
 * which Unicode text each code stands for, and how far each glyph advances. Simple fonts
 * (Type1, TrueType, Type3) read one byte per code; composite fonts (Type0) read the code
 * lengths of their CMap (two bytes for Identity-H/V). Unicode comes from the font's ToUnicode
 * CMap, else from its encoding's glyph names. Text that can be neither mapped is still
 * positioned (it advances the pen) but reads as U+FFFD.
 */
import { Encodings, Font, FontNames } from "@pdf-lib/standard-fonts";
import { decodePDFRawStream, PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream, PDFStream, type PDFObject } from "pdf-lib";

export interface Glyph {
  /** The code's bytes in the string (1 or 2, up to 4). */
  bytes: number;
  /** Unicode text of the glyph ("" for none, U+FFFD when unknown). */
  text: string;
  /** Horizontal advance in text space per unit of font size (the /Widths value / 1000). */
  width: number;
  /** Whether word spacing (Tw) applies: single-byte code 32. */
  wordSpace: boolean;
}

export interface FontReader {
  decode(bytes: Uint8Array): Glyph[];
  /** Extent above and below the baseline, per unit of font size (descent negative). */
  ascent: number;
  descent: number;
}

const UNKNOWN = "\ufffd";

/**
 * What a font says a glyph reads as, or U+FFFD where that is no character: NUL, or half of a
 * surrogate pair. Text tags' names become fields' labels, which no database keeps as such
 * (PostgreSQL refuses a NUL: the envelope could not be created).
 */
const characterText = (text: string) => (text.isWellFormed() && !text.includes("\0") ? text : UNKNOWN);

/** WinAnsi codes and glyph names, both ways: the base of simple fonts' encodings here. */
const WIN_ANSI = (() => {
  const byCode = new Map<number, { name: string; text: string }>();
  const byName = new Map<string, string>();
  for (const cp of Encodings.WinAnsi.supportedCodePoints) {
    const { code, name } = Encodings.WinAnsi.encodeUnicodeCodePoint(cp);
    const text = String.fromCodePoint(cp);
    // Code points arrive in ascending order: U+0020 claims "space" before U+00A0 does.
    if (!byCode.has(code)) byCode.set(code, { name, text });
    if (!byName.has(name)) byName.set(name, text);
  }
  return { byCode, byName };
})();

/** Unicode of a glyph name: the WinAnsi names, uniXXXX, uXXXX[XX], or a one-letter name. */
function glyphNameText(name: string): string | null {
  const known = WIN_ANSI.byName.get(name);
  if (known) return known;
  const uni = /^uni([0-9A-F]{4})$/i.exec(name) ?? /^u([0-9A-F]{4,6})$/i.exec(name);
  if (uni) return characterText(String.fromCodePoint(parseInt(uni[1]!, 16)));
  return name.length === 1 ? name : null;
}

function bytesOf(obj: PDFObject | undefined): Uint8Array | null {
  if (obj instanceof PDFRawStream) return decodePDFRawStream(obj).decode();
  if (obj instanceof PDFStream) return obj.getContents();
  return null;
}

const hexNumber = (h: string) => parseInt(h, 16);
const utf16 = (hex: string) => {
  const b = Buffer.from(hex.length % 4 ? hex.padEnd(Math.ceil(hex.length / 4) * 4, "0") : hex, "hex");
  return b.swap16().toString("utf16le");
};

interface CMapFacts {
  /** code -> Unicode text */
  unicode: Map<number, string>;
  /** Byte lengths of the codespace ranges, e.g. [1] or [2]. */
  codeLengths: { bytes: number; low: number; high: number }[];
}

/** Reads a ToUnicode or encoding CMap: its codespace ranges and its bfchar/bfrange mappings. */
function readCMap(text: string): CMapFacts {
  const unicode = new Map<number, string>();
  const codeLengths: CMapFacts["codeLengths"] = [];
  for (const block of text.matchAll(/begincodespacerange([\s\S]*?)endcodespacerange/g))
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      codeLengths.push({ bytes: m[1]!.length / 2, low: hexNumber(m[1]!), high: hexNumber(m[2]!) });
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g)) unicode.set(hexNumber(m[1]!), characterText(utf16(m[2]!)));
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])/g)) {
      const low = hexNumber(m[1]!);
      const high = Math.min(hexNumber(m[2]!), low + 0xffff);
      if (m[3]!.startsWith("[")) {
        [...m[3]!.matchAll(/<([0-9a-fA-F]*)>/g)].forEach((d, i) => low + i <= high && unicode.set(low + i, characterText(utf16(d[1]!))));
        continue;
      }
      const base = Buffer.from(utf16(m[3]!.slice(1, -1)), "utf16le");
      for (let code = low; code <= high; code++) {
        // The last UTF-16 unit counts up through the range.
        const units = Buffer.from(base);
        if (units.length >= 2) units.writeUInt16LE(units.readUInt16LE(units.length - 2) + (code - low), units.length - 2);
        unicode.set(code, characterText(units.toString("utf16le")));
      }
    }
  }
  return { unicode, codeLengths };
}

const num = (o: PDFObject | undefined) => (o instanceof PDFNumber ? o.asNumber() : undefined);
const nameOf = (o: PDFObject | undefined) => (o instanceof PDFName ? o.decodeText() : undefined);

/** Ascent and descent from the font descriptor, with sane defaults when absent or zero. */
function verticalExtent(descriptor: PDFDict | undefined, scale: number) {
  const ascent = (num(descriptor?.lookup(PDFName.of("Ascent"))) ?? 0) * scale;
  const descent = (num(descriptor?.lookup(PDFName.of("Descent"))) ?? 0) * scale;
  return { ascent: ascent > 0.3 && ascent < 2 ? ascent : 0.8, descent: descent < 0 && descent > -1 ? descent : -0.2 };
}

const STANDARD: Record<string, FontNames> = Object.fromEntries(Object.values(FontNames).map((n) => [n, n]));
Object.assign(STANDARD, { Arial: FontNames.Helvetica, "Arial,Bold": FontNames.HelveticaBold, TimesNewRoman: FontNames.TimesRoman, "TimesNewRoman,Bold": FontNames.TimesRomanBold, CourierNew: FontNames.Courier });

function simpleFont(dict: PDFDict): FontReader {
  const subtype = nameOf(dict.lookup(PDFName.of("Subtype")));
  const descriptor = dict.lookupMaybe(PDFName.of("FontDescriptor"), PDFDict);
  const toUnicode = bytesOf(dict.lookup(PDFName.of("ToUnicode")));
  const cmap = toUnicode ? readCMap(Buffer.from(toUnicode).toString("latin1")).unicode : new Map<number, string>();

  // code -> glyph name: a base encoding (WinAnsi stands in for Standard and MacRoman, which agree
  // with it on the ASCII that tags are written in), then /Differences.
  const names = new Map<number, string>([...WIN_ANSI.byCode].map(([code, g]) => [code, g.name]));
  const encoding = dict.lookup(PDFName.of("Encoding"));
  const differences = encoding instanceof PDFDict ? encoding.lookupMaybe(PDFName.of("Differences"), PDFArray) : undefined;
  if (differences) {
    let code = 0;
    for (let i = 0; i < differences.size(); i++) {
      const item = differences.lookup(i);
      if (item instanceof PDFNumber) code = item.asNumber();
      else if (item instanceof PDFName) names.set(code++, item.decodeText());
    }
  }

  // Type3 glyph space is the font matrix; every other simple font's is 1/1000 of text space.
  const matrix = dict.lookupMaybe(PDFName.of("FontMatrix"), PDFArray);
  const scale = subtype === "Type3" && matrix ? (num(matrix.lookup(0)) ?? 0.001) : 0.001;
  const first = num(dict.lookup(PDFName.of("FirstChar"))) ?? 0;
  const widths = dict.lookupMaybe(PDFName.of("Widths"), PDFArray);
  const missing = num(descriptor?.lookup(PDFName.of("MissingWidth")));
  const base = (nameOf(dict.lookup(PDFName.of("BaseFont"))) ?? "").replace(/^[A-Z]{6}\+/, "");
  const afm = !widths && STANDARD[base] ? Font.load(STANDARD[base]!) : null;

  const widthOf = (code: number): number => {
    const w = widths ? num(widths.lookup(code - first)) : undefined;
    if (w !== undefined) return w * scale;
    const name = names.get(code);
    const std = afm && name ? afm.getWidthOfGlyph(name) : undefined;
    return (std ?? missing ?? 500) * (afm ? 0.001 : scale);
  };
  const textOf = (code: number): string => {
    const mapped = cmap.get(code);
    if (mapped !== undefined) return mapped;
    const name = names.get(code);
    return (name && glyphNameText(name)) ?? (code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : UNKNOWN);
  };
  const extent = subtype === "Type3" ? { ascent: 0.8, descent: -0.2 } : verticalExtent(descriptor, 0.001);
  return {
    ...extent,
    decode: (bytes) => [...bytes].map((code) => ({ bytes: 1, text: textOf(code), width: widthOf(code), wordSpace: code === 32 })),
  };
}

function compositeFont(dict: PDFDict): FontReader {
  const descendant = dict.lookupMaybe(PDFName.of("DescendantFonts"), PDFArray)?.lookupMaybe(0, PDFDict);
  const toUnicode = bytesOf(dict.lookup(PDFName.of("ToUnicode")));
  const cmap = toUnicode ? readCMap(Buffer.from(toUnicode).toString("latin1")) : null;
  const encodingStream = bytesOf(dict.lookup(PDFName.of("Encoding")));
  const ranges = encodingStream ? readCMap(Buffer.from(encodingStream).toString("latin1")).codeLengths : [];

  const widths = new Map<number, number>();
  const w = descendant?.lookupMaybe(PDFName.of("W"), PDFArray);
  for (let i = 0; w && i < w.size(); ) {
    const first = num(w.lookup(i))!;
    const next = w.lookup(i + 1);
    if (next instanceof PDFArray) {
      for (let j = 0; j < next.size(); j++) widths.set(first + j, num(next.lookup(j)) ?? 0);
      i += 2;
    } else {
      const last = num(next)!;
      const value = num(w.lookup(i + 2)) ?? 0;
      for (let c = first; c <= last && c - first < 0x10000; c++) widths.set(c, value);
      i += 3;
    }
  }
  const dw = num(descendant?.lookup(PDFName.of("DW"))) ?? 1000;
  const extent = verticalExtent(descendant?.lookupMaybe(PDFName.of("FontDescriptor"), PDFDict), 0.001);

  /** Byte length of the code starting at `at`: by the encoding CMap's codespace ranges, else 2 (Identity). */
  const lengthAt = (bytes: Uint8Array, at: number): number => {
    for (const r of ranges) {
      if (at + r.bytes > bytes.length) continue;
      let code = 0;
      for (let k = 0; k < r.bytes; k++) code = (code << 8) | bytes[at + k]!;
      if (code >= r.low && code <= r.high) return r.bytes;
    }
    return 2;
  };
  return {
    ...extent,
    decode(bytes) {
      const out: Glyph[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = Math.min(lengthAt(bytes, i), bytes.length - i);
        let code = 0;
        for (let k = 0; k < n; k++) code = (code << 8) | bytes[i + k]!;
        // Identity CMaps: the code is the CID, which /W indexes.
        out.push({ bytes: n, text: cmap?.unicode.get(code) ?? UNKNOWN, width: (widths.get(code) ?? dw) / 1000, wordSpace: n === 1 && code === 32 });
        i += n;
      }
      return out;
    },
  };
}

/** The reader of a font dictionary (simple or composite). */
export function fontReader(dict: PDFDict): FontReader {
  return nameOf(dict.lookup(PDFName.of("Subtype"))) === "Type0" ? compositeFont(dict) : simpleFont(dict);
}
