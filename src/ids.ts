/** Ids say what they are: doc_, env_, rcp_, whk_, evt_, key_... followed by 20 base32 characters (100 bits). */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdKind = "doc" | "env" | "rcp" | "fld" | "whk" | "evt" | "dlv" | "key" | "req" | "job" | "adm" | "act" | "tpl" | "bat";

export function newId(kind: IdKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let s = "";
  for (const b of bytes) s += ALPHABET[b & 31];
  return `${kind}_${s}`;
}

const TIME_CHARS = 9; // 45 bits of milliseconds: sortable until the year 3084

/**
 * An id like newId's whose first characters are the creation time (ULID-like), the rest random
 * (55 bits): rows inserted one after the other land next to each other in the indexes keyed on
 * it, where random ids scatter every insert over the whole index (for deliveries: the attempts'
 * primary key, several pages written per commit instead of one).
 */
export function newSortableId(kind: IdKind, now = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < TIME_CHARS; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  return `${kind}_${time}${newId(kind).slice(kind.length + 1 + TIME_CHARS)}`;
}

/** URL-safe random token with `bytes` of entropy (API keys, signing links, webhook secrets). */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

export function sha256Hex(data: string | Uint8Array | ArrayBuffer): string {
  return Bun.CryptoHasher.hash("sha256", data, "hex");
}
