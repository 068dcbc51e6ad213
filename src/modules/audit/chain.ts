import { sha256Hex } from "../../ids";

/** prevHash of the first event of every envelope. */
export const GENESIS_HASH = "0".repeat(64);

/** The part of an audit event the hash covers. */
export interface ChainedEvent {
  envelopeId: string;
  seq: number;
  type: string;
  at: Date;
  actor: string;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** Strings JSON.stringify writes as they are, between quotes: no quote, backslash, control character or surrogate. */
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const jsonString = (s: string) => (VERBATIM.test(s) ? '"' + s + '"' : JSON.stringify(s));

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped (as
 * JSON.stringify does), Dates as ISO strings. A value read back from the database
 * therefore serialises to exactly the bytes that were hashed when it was written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return jsonString(value);
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  if (typeof value !== "object") return JSON.stringify(value);
  if (value instanceof Date) return '"' + value.toISOString() + '"';
  // Loops rather than map/filter/join, and most strings written without JSON.stringify (half the
  // time): every audit append and every read of a chain's tail runs this.
  let out: string;
  if (Array.isArray(value)) {
    out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + (value[i] === undefined ? "null" : canonicalJson(value[i]));
    return out + "]";
  }
  out = "{";
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += (out.length > 1 ? "," : "") + jsonString(k) + ":" + canonicalJson(v);
  }
  return out + "}";
}

/** hash = SHA-256(prevHash + canonical JSON of {envelopeId, seq, type, at, actor, ip, userAgent, data}), hex. */
export function eventHash(prevHash: string, e: Omit<ChainedEvent, "prevHash" | "hash">): string {
  return sha256Hex(
    prevHash +
      canonicalJson({
        envelopeId: e.envelopeId,
        seq: e.seq,
        type: e.type,
        at: e.at,
        actor: e.actor,
        ip: e.ip ?? null,
        userAgent: e.userAgent ?? null,
        data: e.data ?? null,
      }),
  );
}

export interface ChainCheck {
  valid: boolean;
  count: number;
  /** Hash of the last event (GENESIS_HASH when there is none). */
  head: string;
  /** First seq at which the chain breaks, when it does. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Verifies one envelope's events: consecutive seq from 1, each prevHash equal to the previous
 * hash (the first to 64 zeros), each hash recomputed from the row's content. Any edited,
 * removed, inserted or reordered row breaks it.
 */
export function verifyChain(events: readonly ChainedEvent[]): ChainCheck {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  let prev = GENESIS_HASH;
  const envelopeId = sorted[0]?.envelopeId;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const fail = (reason: string): ChainCheck => ({ valid: false, count: sorted.length, head: sorted.at(-1)!.hash, brokenAt: e.seq, reason });
    if (e.envelopeId !== envelopeId) return fail("event of another envelope");
    if (e.seq !== i + 1) return fail(`expected seq ${i + 1}, found ${e.seq}`);
    if (e.prevHash !== prev) return fail("prevHash does not match the previous event's hash");
    if (eventHash(prev, e) !== e.hash) return fail("content does not match its hash");
    prev = e.hash;
  }
  return { valid: true, count: sorted.length, head: prev };
}
