import { eq, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import { sha256Hex } from "../../ids";
import type { Db, Tx } from "../../store/db";
import { preparedPerSession } from "../../store/prepared";
import { recipients } from "../../store/schema";

/** 32 bytes of HMAC-SHA256 in base64url: 43 characters, 256 bits. */
export const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * A recipient's signing token: base64url(HMAC-SHA256(instanceSecret, recipientId)), and after
 * a correction (`linkVersion` n > 0) of "recipientId.n", so the corrected recipient gets a new
 * link and the old one stops working. Deterministic, so the API can show the signUrl again, but
 * only its SHA-256 is stored: the database alone opens no session.
 */
export function signingToken(secret: Uint8Array, recipientId: string, linkVersion = 0): string {
  return new Bun.CryptoHasher("sha256", secret).update(linkVersion ? `${recipientId}.${linkVersion}` : recipientId).digest("base64url");
}

/** What recipients.token_hash stores. */
export const tokenHash = (token: string): string => sha256Hex(token);

export const signUrlOf = (baseUrl: string, secret: Uint8Array, recipientId: string, linkVersion = 0): string =>
  `${baseUrl.replace(/\/+$/, "")}/s/${signingToken(secret, recipientId, linkVersion)}`;

/** The recipient's link that downloads the sealed PDF (as an attachment), what the completion e-mail carries. */
export const signedDocumentUrlOf = (baseUrl: string, secret: Uint8Array, recipientId: string): string =>
  `${baseUrl.replace(/\/+$/, "")}/api/v1/signing/${signingToken(secret, recipientId)}/signed-document?download=1`;

const recipientByTokenHash = preparedPerSession((tx) =>
  tx.select().from(recipients).where(eq(recipients.tokenHash, sql.placeholder("hash"))).prepare());

/** The recipient whose signing session `token` opens, read through `tx`; undefined if none. */
export async function recipientOfToken(tx: Tx, token: string): Promise<typeof recipients.$inferSelect | undefined> {
  if (!TOKEN_FORMAT.test(token)) return undefined;
  return (await recipientByTokenHash(tx).execute({ hash: tokenHash(token) }))[0];
}

/** The answer to a signing link that opens nothing (unknown, malformed, or its recipient gone). */
export const unknownToken = () => new AppError("not_found", "This signing link is not valid");

/** Whether a token opens a signing session: the pipeline asks before it reads an anonymous body. */
export const isKnownToken = async (db: Db, token: string): Promise<boolean> => (await recipientOfToken(db, token)) !== undefined;
