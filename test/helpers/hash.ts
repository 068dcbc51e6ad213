/** SHA-256 in hex, computed here rather than with the server's own helper, so tests check it independently. */
export const sha256 = (b: Uint8Array | string) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
