/**
 * A page content stream read as operations, each with the byte span it came from, so that a
 * rewrite can replace a few operations and keep every other byte as it was.
 */

export type Operand = number | boolean | null | string | Uint8Array | Operand[] | { [key: string]: Operand };

/** A PDF name operand, told apart from a string operand (which is bytes). */
export class Name {
  constructor(readonly name: string) {}
}

export interface Operation {
  op: string;
  operands: (Operand | Name)[];
  /** Byte offset of the first operand (or of the operator when there is none). */
  start: number;
  /** Byte offset just after the operator. */
  end: number;
}

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isRegular = (c: number) => !WHITE.has(c) && !DELIM.has(c);

const ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };

class Lexer {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  skipWhite() {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WHITE.has(c)) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  /** The next token as a value, or an operator keyword ({ op }), or null at the end. */
  next(): { value: Operand | Name } | { op: string } | { close: string } | null {
    this.skipWhite();
    const b = this.b;
    if (this.pos >= b.length) return null;
    const c = b[this.pos]!;
    if (c === 0x28) return { value: this.literalString() };
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) {
        this.pos += 2;
        return { value: this.dict() };
      }
      return { value: this.hexString() };
    }
    if (c === 0x5b) {
      this.pos++;
      return { value: this.array() };
    }
    if (c === 0x5d || c === 0x3e) {
      this.pos += c === 0x3e && b[this.pos + 1] === 0x3e ? 2 : 1;
      return { close: c === 0x5d ? "]" : ">>" };
    }
    if (c === 0x2f) {
      this.pos++;
      return { value: new Name(this.regular()) };
    }
    if (c === 0x7b || c === 0x7d || c === 0x29) {
      this.pos++;
      return { op: String.fromCharCode(c) };
    }
    const word = this.regular();
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) return { value: Number(word) };
    if (word === "true" || word === "false") return { value: word === "true" };
    if (word === "null") return { value: null };
    return { op: word };
  }

  regular(): string {
    const start = this.pos;
    let word = "";
    while (this.pos < this.b.length && isRegular(this.b[this.pos]!)) word += String.fromCharCode(this.b[this.pos++]!);
    if (this.pos === start) this.pos++; // a stray delimiter: step over it
    return word;
  }

  literalString(): Uint8Array {
    const b = this.b;
    const out: number[] = [];
    let depth = 0;
    this.pos++;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const e = b[this.pos++]!;
        if (e in ESCAPES) out.push(ESCAPES[e]!);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let i = 0; i < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (depth-- === 0) break;
        out.push(c);
      } else out.push(c);
    }
    return Uint8Array.from(out);
  }

  hexString(): Uint8Array {
    const b = this.b;
    this.pos++;
    let hex = "";
    while (this.pos < b.length && b[this.pos] !== 0x3e) {
      const c = b[this.pos++]!;
      if (!WHITE.has(c)) hex += String.fromCharCode(c);
    }
    this.pos++;
    if (hex.length % 2) hex += "0";
    return Uint8Array.from(Buffer.from(hex, "hex"));
  }

  array(): Operand[] {
    const out: Operand[] = [];
    for (;;) {
      const t = this.next();
      if (!t || "close" in t) return out;
      if ("value" in t) out.push(t.value as Operand);
    }
  }

  dict(): { [key: string]: Operand } {
    const out: { [key: string]: Operand } = {};
    let key: string | null = null;
    for (;;) {
      const t = this.next();
      if (!t || "close" in t) return out;
      if (!("value" in t)) continue;
      if (key === null && t.value instanceof Name) key = t.value.name;
      else if (key !== null) {
        out[key] = t.value as Operand;
        key = null;
      }
    }
  }

  /** Inline image data runs from after ID to the EI that follows whitespace. */
  skipInlineImage() {
    const b = this.b;
    this.pos++; // the single white-space byte after ID
    while (this.pos < b.length) {
      if (b[this.pos] === 0x45 && b[this.pos + 1] === 0x49 && WHITE.has(b[this.pos - 1]!) && (this.pos + 2 >= b.length || !isRegular(b[this.pos + 2]!))) {
        this.pos += 2;
        return;
      }
      this.pos++;
    }
  }
}

/** Every operation of a content stream, in order. */
export function parseContentStream(bytes: Uint8Array): Operation[] {
  const lexer = new Lexer(bytes);
  const ops: Operation[] = [];
  let operands: (Operand | Name)[] = [];
  let start = -1;
  for (;;) {
    lexer.skipWhite();
    const at = lexer.pos;
    const t = lexer.next();
    if (!t) break;
    if ("close" in t) continue;
    if ("value" in t) {
      if (start < 0) start = at;
      operands.push(t.value);
      continue;
    }
    if (t.op === "ID") lexer.skipInlineImage();
    ops.push({ op: t.op, operands, start: start < 0 ? at : start, end: lexer.pos });
    operands = [];
    start = -1;
  }
  return ops;
}

/** A string operand written back in hex form (no escaping questions). */
export const hexOperand = (bytes: Uint8Array) => `<${Buffer.from(bytes).toString("hex")}>`;
