import { and, desc, eq, isNull } from "drizzle-orm";
import type { Clock } from "../../clock";
import { AppError, notFound } from "../../errors";
import { newId, randomToken, sha256Hex } from "../../ids";
import type { Db } from "../../store/db";
import { firstRow } from "../../store/portable-sql";
import { cacheGeneration } from "../../store/cache-generations";
import { apiKeys, type Environment } from "../../store/schema";
import { defaultScopes, SCOPES, ungrantable, type Scope } from "./scopes";

export type ApiKey = typeof apiKeys.$inferSelect;

const KEY_FORMAT = /^sk_(test|live)_[A-Za-z0-9_-]{43}$/;

/** The public view of a key: never its hash, never the secret. */
export const publicKey = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  environment: k.environment,
  prefix: k.prefix,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** Creates a key; the CLI (run by an operator) calls it directly and grants every scope by default. */
export async function createKey(db: Db, clock: Clock, input: { environment: Environment; name: string; scopes?: Scope[] }) {
  const secret = `sk_${input.environment}_${randomToken(32)}`;
  const row: ApiKey = {
    id: newId("key"),
    environment: input.environment,
    name: input.name,
    prefix: secret.slice(0, 12),
    hash: sha256Hex(secret),
    scopes: input.scopes ?? [...SCOPES],
    createdAt: clock.now(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { key: row, secret };
}

/**
 * POST /keys: a key creates keys of its own environment only (test and live never see each
 * other) and grants at most its own scopes; asking for more is a 403. Without `scopes`, the new
 * key gets the creator's scopes except key management.
 */
export async function createKeyAs(db: Db, clock: Clock, caller: Principal, input: { name: string; environment?: Environment; scopes?: Scope[] }) {
  if (input.environment && input.environment !== caller.environment)
    throw new AppError("forbidden", `A ${caller.environment} key cannot create ${input.environment} keys`);
  const scopes = input.scopes ? [...new Set(input.scopes)] : defaultScopes(caller.scopes);
  const missing = ungrantable(caller.scopes, scopes);
  if (missing.length) throw new AppError("forbidden", `A key can grant only its own scopes; this one lacks ${missing.map((s) => `"${s}"`).join(", ")}`);
  return await createKey(db, clock, { environment: caller.environment, name: input.name, scopes });
}

/** All keys, or those of one environment, newest first. */
export async function listKeys(db: Db, environment?: Environment): Promise<ApiKey[]> {
  return await db.select().from(apiKeys)
    .where(environment ? eq(apiKeys.environment, environment) : undefined)
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export async function revokeKey(db: Db, clock: Clock, id: string, environment?: Environment): Promise<ApiKey> {
  const where = environment ? and(eq(apiKeys.id, id), eq(apiKeys.environment, environment)) : eq(apiKeys.id, id);
  const key = await firstRow(db.select().from(apiKeys).where(where));
  if (!key) throw notFound("API key", id);
  if (key.revokedAt) return key;
  return (await firstRow(db.update(apiKeys).set({ revokedAt: clock.now() }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning())) ?? key;
}

export interface Principal {
  keyId: string;
  environment: Environment;
  scopes: readonly Scope[];
}

/**
 * Verifies bearer keys with an in-memory cache of active key hashes, so an authenticated
 * request costs no database read (a miss, e.g. a key just created, looks in the table once).
 * A key that verified is also found by the presented secret itself, so its next requests cost no
 * hash either: only keys that verified enter that map, one entry per active key at most.
 * Both are dropped whenever a key is revoked or changed in the database (cacheGeneration: e.g.
 * `certyneo keys revoke` from the CLI) or this process revokes a key, so a revoked key
 * fails on its very next request.
 * lastUsedAt is written behind, at most once a minute per key.
 */
export function createKeyVerifier(db: Db, clock: Clock) {
  let cache: Map<string, ApiKey> | null = null;
  let bySecret = new Map<string, { key: ApiKey; principal: Principal }>();
  let seen = -1;
  let invalidations = 0;
  const lastWritten = new Map<string, number>();
  const generation = cacheGeneration(db, "api_keys");

  const active = async () => {
    const g = generation();
    if (cache && g === seen) return cache;
    const before = invalidations;
    const fresh = new Map((await db.select().from(apiKeys).where(isNull(apiKeys.revokedAt))).map((k) => [k.hash, k]));
    // Rows read while invalidate() was called may predate what it announced: they serve this call only.
    if (before === invalidations) [cache, seen, bySecret] = [fresh, g, new Map()];
    return fresh;
  };

  /** The write of lastUsedAt when it is due, else nothing to wait for. */
  const touch = (key: ApiKey) => {
    const now = clock.now().getTime();
    if (now - (lastWritten.get(key.id) ?? 0) < 60_000) return;
    lastWritten.set(key.id, now);
    return db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, key.id));
  };

  /** A key not yet verified by this process (or since its cache was dropped): found by its hash. */
  const lookUp = async (presented: string): Promise<Principal | null> => {
    const hash = sha256Hex(presented);
    const keys = await active();
    // A miss may be a key created since the cache was filled by this same connection.
    let key = keys.get(hash);
    if (!key) {
      key = await firstRow(db.select().from(apiKeys).where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt))));
      if (key) keys.set(hash, key);
    }
    // No constant-time compare needed: keys are found by the SHA-256 of what was presented,
    // so a lookup's timing can only tell an attacker about hashes they cannot steer.
    if (!key) return null;
    const known = { key, principal: Object.freeze({ keyId: key.id, environment: key.environment, scopes: key.scopes }) };
    // Kept only while the map it was found in is still the current one.
    if (keys === cache) bySecret.set(presented, known);
    await touch(key);
    return known.principal;
  };

  return {
    /**
     * The principal for a presented key, or null (unknown, malformed or revoked). A key this
     * process verified before is answered at once, without a promise (every request of a client
     * after its first), unless its lastUsedAt is due to be written.
     */
    verify(presented: string): Principal | null | Promise<Principal | null> {
      // The format first: whatever is presented, only a key-sized string is looked up or hashed.
      if (!KEY_FORMAT.test(presented)) return null;
      const known = cache && generation() === seen ? bySecret.get(presented) : undefined;
      if (!known) return lookUp(presented);
      const written = touch(known.key);
      return written ? written.then(() => known.principal) : known.principal;
    },
    invalidate() {
      cache = null;
      invalidations++;
    },
  };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
