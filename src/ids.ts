/** Ids say what they are: doc_, env_, rcp_, whk_, evt_, key_... followed by 20 base32 characters (100 bits). */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdKind = "doc" | "env" | "rcp" | "fld" | "whk" | "evt" | "dlv" | "key" | "req" | "job" | "adm" | "act" | "tpl" | "bat";

export function newId(kind: IdKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let s = "";
  for (const b of bytes) s += ALPHABET[b & 31];
  return `${kind}_${s}`;
}

/** URL-safe random token with `bytes` of entropy (API keys, signing links, webhook secrets). */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

export function sha256Hex(data: string | Uint8Array | ArrayBuffer): string {
  return Bun.CryptoHasher.hash("sha256", data, "hex");
}
