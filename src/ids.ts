/**
 * Ids say what they are: doc_, env_, rcp_, whk_, evt_, key_... followed by 20 base32 characters:
 * 9 of creation time in milliseconds (sortable until the year 3084), then 11 random (55 bits).
 * Rows inserted one after the other land next to each other in every index keyed on an id
 * (primary keys, and the children's envelope_id): random ids scattered each insert over the
 * whole index, several pages written per row at commit (docs/decisions.md). Ids are names, not
 * secrets: what grants access without an API key is a random token (randomToken).
 */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS = 9;
const RANDOM_CHARS = 11;

export type IdKind = "doc" | "env" | "rcp" | "fld" | "whk" | "evt" | "dlv" | "key" | "req" | "job" | "adm" | "act" | "tpl" | "bat";

/** Random bytes drawn ahead, a few hundred ids' worth: one call to the generator per id cost more than the rest of newId. */
const pool = new Uint8Array(4096);
let drawn = pool.length;
let lastMs = NaN;
let lastTime = "";

export function newId(kind: IdKind, now = Date.now()): string {
  if (now !== lastMs) {
    lastTime = "";
    for (let t = now, i = 0; i < TIME_CHARS; i++, t = Math.floor(t / 32)) lastTime = ALPHABET[t % 32] + lastTime;
    lastMs = now;
  }
  if (drawn + RANDOM_CHARS > pool.length) {
    crypto.getRandomValues(pool);
    drawn = 0;
  }
  let s = kind + "_" + lastTime;
  for (let i = 0; i < RANDOM_CHARS; i++) s += ALPHABET[pool[drawn++]! & 31];
  return s;
}

/** URL-safe random token with `bytes` of entropy (API keys, signing links, webhook secrets). */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

export function sha256Hex(data: string | Uint8Array | ArrayBuffer): string {
  return Bun.CryptoHasher.hash("sha256", data, "hex");
}
