import { nodeCrypto } from "../node-builtins";
import { eq, notLike } from "drizzle-orm";
import type { Db } from "./db";
import { transaction } from "./transaction";
import { webhooks } from "./schema";

/**
 * Secrets the server must read back (webhook signing secrets) are stored encrypted under a key
 * derived from the instance secret (AES-256-GCM): a copy of the database alone reveals none.
 * Stored form: "enc:v1:" + base64(12-byte IV | ciphertext | 16-byte tag).
 */
const PREFIX = "enc:v1:";

const boxKey = (instanceSecret: Uint8Array) => new Bun.CryptoHasher("sha256", instanceSecret).update("certyneo stored secrets v1").digest();

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

export function sealSecret(instanceSecret: Uint8Array, plain: string): string {
  const { createCipheriv, randomBytes } = nodeCrypto();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", boxKey(instanceSecret), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

/** The clear secret; a value stored before encryption (no prefix) is returned as it is. */
export function openSecret(instanceSecret: Uint8Array, stored: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
  const decipher = nodeCrypto().createDecipheriv("aes-256-gcm", boxKey(instanceSecret), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("a stored secret does not open with this instance.key: the key is not the one it was written with");
  }
}

/** Encrypts the webhook secrets still stored in clear (written before 0.2); returns how many. */
export async function sealStoredSecrets(db: Db, instanceSecret: Uint8Array): Promise<number> {
  return await transaction(db, async (tx) => {
    const clear = await tx.select({ id: webhooks.id, secret: webhooks.secret }).from(webhooks).where(notLike(webhooks.secret, `${PREFIX}%`));
    for (const row of clear) await tx.update(webhooks).set({ secret: sealSecret(instanceSecret, row.secret) }).where(eq(webhooks.id, row.id));
    return clear.length;
  });
}
