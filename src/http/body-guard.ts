import { AppError, invalid } from "../errors";

/**
 * Deeper JSON than this is refused before anything parses it recursively: no body of the
 * API nests past 5 levels, and the recursive parsers and validators behind it (JSON.parse,
 * TypeBox, Elysia's error path) overflow the stack at some thousands of levels, slowly.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b, OPEN_ARRAY = 0x5b, CLOSE_OBJECT = 0x7d, CLOSE_ARRAY = 0x5d, QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in a JSON text, in one pass over the bytes
 * (strings skipped, escapes honoured); stops counting once past `limit`. Malformed JSON is
 * left to the parser, which reports it.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * The whole body, refused with a problem+json 413 as soon as it passes `limit` bytes. A body of
 * a declared length is that many bytes (Bun reads no more): read at once, which costs a
 * fraction of a stream reader's chunks (~25 µs of an envelope creation's ~175 µs). A chunked
 * body declares none, so the count is what stops it.
 */
export async function readBodyBounded(req: Request, limit: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new AppError("payload_too_large", `The request body is larger than the limit of ${what}`);
  const declared = req.headers.get("content-length");
  if (Number(declared ?? 0) > limit) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  if (declared !== null) return req.bytes();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

const BACKSLASH_U = "\\u";

/** The UTF-16 code unit of the `\uXXXX` escape at `i`, or -1 if none starts there (a backslash after an odd run of them is escaped itself). */
function escapeAt(b: Buffer, i: number): number {
  if (b[i] !== BACKSLASH || b[i + 1] !== 0x75) return -1;
  let run = 0;
  while (i - 1 - run >= 0 && b[i - 1 - run] === BACKSLASH) run++;
  if (run % 2) return -1;
  const digits = b.toString("latin1", i + 2, i + 6);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
}

/**
 * Whether a JSON text escapes a character no text of the API can hold, which JSON allows and
 * JavaScript keeps:
 * - half of a UTF-16 surrogate pair without the other (`"\ud800"`): no character at all. UTF-8
 *   cannot hold it, and both databases store U+FFFD in its place, so what was accepted and
 *   answered would not be what is read back, e-mailed or stamped;
 * - NUL (`"\u0000"`): PostgreSQL's text cannot hold it (the statement fails), and C strings end
 *   at it.
 * Escapes are found by the runtime's search, so a body without any costs one scan in native code.
 */
export function holdsUnstorableText(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = b.indexOf(BACKSLASH_U); i >= 0; i = b.indexOf(BACKSLASH_U, i + 2)) {
    const unit = escapeAt(b, i);
    if (unit === 0) return true;
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const low = unit <= 0xdbff ? escapeAt(b, i + 6) : -1;
    if (low < 0xdc00 || low > 0xdfff) return true;
    i += 6; // the pair's low half is read: it is not lone
  }
  return false;
}

const LONE_SURROGATE = "must be Unicode text: it holds half of a UTF-16 surrogate pair (\\ud800-\\udfff) without the other, which is no character and cannot be stored; send the character itself, or both halves of its pair";
const NUL = "must not hold the NUL character (\\u0000), which no text of the API takes and the database cannot store";
const problemOf = (text: string) => (!text.isWellFormed() ? LONE_SURROGATE : text.includes("\0") ? NUL : null);

/** The first member name or text under `value` that cannot be stored: its JSON pointer and what is wrong with it. */
function unstorableAt(value: unknown, at: string): { pointer: string; message: string } | null {
  if (typeof value === "string") {
    const message = problemOf(value);
    return message ? { pointer: at || "/", message } : null;
  }
  if (value === null || typeof value !== "object") return null;
  for (const [key, member] of Object.entries(value)) {
    const pointer = `${at}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const message = problemOf(key);
    const found = message ? { pointer, message } : unstorableAt(member, pointer);
    if (found) return found;
  }
  return null;
}

/** Refuses, at its member, JSON text that cannot be stored (holdsUnstorableText); malformed JSON is left to the parser. */
export function assertStorableText(bytes: Uint8Array): void {
  if (!holdsUnstorableText(bytes)) return;
  let found: ReturnType<typeof unstorableAt>;
  try {
    found = unstorableAt(JSON.parse(new TextDecoder().decode(bytes)), "");
  } catch {
    return;
  }
  if (found) throw invalid([found], "Invalid request body");
}

/** Refuses JSON nested deeper than MAX_JSON_DEPTH with a 400 the client can act on. */
export function assertJsonDepth(bytes: Uint8Array): void {
  if (jsonDepthExceeds(bytes))
    throw new AppError("json_too_deep", `The JSON body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);
}

export const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`);
