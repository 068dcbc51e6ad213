import { AppError } from "../errors";

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

/** Refuses JSON nested deeper than MAX_JSON_DEPTH with a 400 the client can act on. */
export function assertJsonDepth(bytes: Uint8Array): void {
  if (jsonDepthExceeds(bytes))
    throw new AppError("json_too_deep", `The JSON body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);
}

export const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`);
