/**
 * Signer authentication beyond the link: a 6-digit one-time code sent by e-mail or SMS, or an
 * access code the sender gave out of band. Until the recipient enters it, the signing API answers
 * 401 signing_auth_required and shows no document. A correct code sets a cookie scoped to the
 * recipient's signing path: an HMAC under the instance secret over the time of that
 * authentication, so a later authentication (or a copy of the database) makes no older cookie work.
 * Five wrong codes in a row lock the recipient out for 15 minutes. Every attempt is an audit event.
 */
import { nodeCrypto } from "../../node-builtins";
import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import type { Tx } from "../../store/db";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { recipients } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { recipientActor } from "../envelopes/actor";
import { lockedEnvelopeRow, type EnvelopeRow, type RecipientRow } from "../envelopes/rows";
import { pickLocale, renderOneTimeCodeEmail, renderOneTimeCodeSms } from "../notifications/messages";
import { createSmsSender } from "../notifications/sms";
import { unknownToken } from "./token";

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;
/** Waits before another code may be sent: 30 s after the first, then doubling, at most 10 minutes. */
export const resendDelayMs = (sends: number) => (sends <= 0 ? 0 : Math.min(30_000 * 2 ** (sends - 1), 10 * 60_000));

export const AUTH_COOKIE = "certyneo_signer";

const hmac = (secret: Uint8Array, text: string) => new Bun.CryptoHasher("sha256", secret).update(text).digest("base64url");
const codeHash = (secret: Uint8Array, recipientId: string, code: string) => hmac(secret, `otp:${recipientId}:${code}`);
const proofOf = (secret: Uint8Array, r: Pick<RecipientRow, "id" | "authenticatedAt">) =>
  hmac(secret, `signer-auth:${r.id}:${r.authenticatedAt?.getTime() ?? 0}`);

const same = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** "j•••@example.com", "+33 •••• ••78": enough for the signer to recognise, not enough to reuse. */
export function maskedDestination(r: Pick<RecipientRow, "authMethod" | "email" | "phone">): string | null {
  if (r.authMethod === "email_otp") {
    const [local, domain] = r.email.split("@");
    return `${local!.slice(0, 1)}•••@${domain}`;
  }
  if (r.authMethod === "sms_otp" && r.phone) return `${r.phone.slice(0, 3)}•••••${r.phone.slice(-2)}`;
  return null;
}

function cookieValue(header: string | null | undefined): string | null {
  for (const part of (header ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === AUTH_COOKIE) return value.join("=");
  }
  return null;
}

/** Whether this request comes from a browser that authenticated as this recipient. */
export function isAuthenticated(deps: Pick<Deps, "secret">, r: RecipientRow, cookieHeader: string | null | undefined): boolean {
  if (!r.authMethod) return true;
  const proof = cookieValue(cookieHeader);
  return !!proof && !!r.authenticatedAt && same(proof, proofOf(deps.secret, r));
}

/** What the 401 tells the page: how to authenticate and where a code would go. */
export function authRequired(r: RecipientRow, locale: string | null): AppError {
  return new AppError("signing_auth_required", `Enter the ${r.authMethod === "access_code" ? "access code the sender gave you" : "code we send you"} to open this envelope`, {
    authentication: { method: r.authMethod!, ...(maskedDestination(r) ? { destination: maskedDestination(r)! } : {}), ...(locale ? { locale } : {}) },
  });
}

interface Actor {
  envelope: EnvelopeRow;
  recipient: RecipientRow;
  meta: { ip: string | null; userAgent: string | null };
}

type AuthEvent = "recipient.auth_code_sent" | "recipient.auth_failed" | "recipient.authenticated" | "recipient.auth_locked";

function audit(tx: Tx, deps: Deps, { envelope, recipient, meta }: Actor, type: AuthEvent, data: Record<string, unknown> = {}) {
  return appendAudit(tx, deps.clock, {
    envelopeId: envelope.id, type, ...recipientActor(recipient, meta.ip, meta.userAgent),
    data: { recipientId: recipient.id, method: recipient.authMethod, ...data },
  });
}

const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

const lockedOut = (until: Date, now: Date) =>
  new AppError("auth_locked", "Too many wrong codes: try again later", { headers: { "retry-after": seconds(until.getTime() - now.getTime()) } });

function assertNotLocked(lockedUntil: Date | null, now: Date) {
  if (lockedUntil && lockedUntil > now) throw lockedOut(lockedUntil, now);
}

/** POST …/auth/code: a new one-time code to the recipient's e-mail or phone, with back-off between sends. */
export async function sendOneTimeCode(deps: Deps, actor: Actor): Promise<{ destination: string | null; retryAfterSeconds: number }> {
  const r = actor.recipient;
  if (r.authMethod !== "email_otp" && r.authMethod !== "sms_otp") throw new AppError("auth_not_required", "No code is sent for this recipient");
  const sms = r.authMethod === "sms_otp" ? createSmsSender(deps.config.sms, deps.log) : null;
  if (r.authMethod === "sms_otp" && !sms) throw new AppError("unavailable", "No SMS gateway is configured (sms.gatewayUrl)");
  const now = deps.clock.now();
  const claim = await claimSend(deps, actor, now);
  const code = String(nodeCrypto().randomInt(0, 1_000_000)).padStart(6, "0");
  const locale = pickLocale(actor.envelope.locale);
  try {
    if (sms) await sms.send({ to: r.phone!, text: renderOneTimeCodeSms(locale, code) });
    else await deps.mailer.send({ to: r.email, ...renderOneTimeCodeEmail(locale, { subject: actor.envelope.subject, recipientName: r.name, code }) });
  } catch (e) {
    // Not sent: the back-off this send claimed is given back, unless a later send claimed its own.
    await deps.db.update(recipients).set(claim.before).where(and(eq(recipients.id, r.id), eq(recipients.otpSends, claim.sends)));
    deps.log.warn("a signer's one-time code could not be sent", { envelopeId: actor.envelope.id, recipientId: r.id, method: r.authMethod, error: String(e) });
    // The gateway's own words stay in the log: the signer is told only to try again.
    throw new AppError("unavailable", "The code could not be sent just now: ask for it again in a moment");
  }
  // Only the recipient's row and an append (appendAudit locks the chain's head): read committed on PostgreSQL.
  await transaction(deps.db, async (tx) => {
    await tx.update(recipients).set({ otpHash: codeHash(deps.secret, r.id, code), otpExpiresAt: new Date(now.getTime() + CODE_TTL_MS) }).where(eq(recipients.id, r.id));
    await audit(tx, deps, actor, "recipient.auth_code_sent", { to: maskedDestination(r), sends: claim.sends });
  }, { isolation: "read committed" });
  return { destination: maskedDestination(r), retryAfterSeconds: Math.ceil(resendDelayMs(claim.sends) / 1000) };
}

/**
 * Claims a send against the recipient's row as the transaction reads it, not as the request did
 * (the envelope's row locked first, as by every step of the ceremony): of requests at once, one
 * sends and the others are too soon, rather than each mailing a code that replaces the last.
 * Returns the count of sends with this one, and what to restore should it not be sent.
 */
function claimSend(deps: Deps, actor: Actor, now: Date) {
  const id = actor.recipient.id;
  return transaction(deps.db, async (tx) => {
    await lockedEnvelopeRow(tx, actor.envelope.id);
    const current = await firstRow(tx.select({ otpSends: recipients.otpSends, otpSentAt: recipients.otpSentAt, authLockedUntil: recipients.authLockedUntil }).from(recipients).where(eq(recipients.id, id)));
    if (!current) throw unknownToken();
    assertNotLocked(current.authLockedUntil, now);
    const wait = (current.otpSentAt?.getTime() ?? 0) + resendDelayMs(current.otpSends) - now.getTime();
    if (wait > 0) throw new AppError("auth_resend_too_soon", "A code was sent moments ago", { headers: { "retry-after": seconds(wait) } });
    const sends = current.otpSends + 1;
    await tx.update(recipients).set({ otpSentAt: now, otpSends: sends }).where(eq(recipients.id, id));
    return { sends, before: { otpSentAt: current.otpSentAt, otpSends: current.otpSends } };
  }, { isolation: "read committed" });
}

/** POST …/auth: checks the code; returns the cookie that proves it, or counts a failure (locking at MAX_FAILURES). */
export async function verifyCode(deps: Deps, actor: Actor, code: string): Promise<{ cookie: string }> {
  const r = actor.recipient;
  if (!r.authMethod) throw new AppError("auth_not_required", "This recipient needs no code");
  const now = deps.clock.now();
  assertNotLocked(r.authLockedUntil, now);
  const given = code.trim();
  const ok = r.authMethod === "access_code"
    ? !!r.accessCodeHash && given.length > 0 && await Bun.password.verify(given, r.accessCodeHash)
    : !!r.otpHash && !!r.otpExpiresAt && r.otpExpiresAt > now && /^\d{6}$/.test(given) && same(codeHash(deps.secret, r.id, given), r.otpHash);
  const outcome = await settleAttempt(deps, actor, ok, now);
  if (outcome instanceof Date) throw lockedOut(outcome, now);
  if (outcome !== "authenticated") throw new AppError("auth_code_invalid", `Wrong or expired code: ${MAX_FAILURES - outcome} attempt${MAX_FAILURES - outcome === 1 ? "" : "s"} left`);
  return { cookie: proofOf(deps.secret, { ...r, authenticatedAt: now }) };
}

/**
 * Records an attempt against the recipient's row as the transaction reads it, not as the request
 * did: parallel wrong codes each count (the fifth locks), and a right code that arrives once a
 * lock is set opens nothing. Returns the failures so far after a wrong code, or the end of a lock.
 * Read committed on PostgreSQL: the envelope's row is locked first (as by every step of the
 * ceremony), so attempts at once, on any node, are settled one after another, each reading the
 * count the previous one wrote.
 */
function settleAttempt(deps: Deps, actor: Actor, ok: boolean, now: Date): Promise<"authenticated" | number | Date> {
  const id = actor.recipient.id;
  return transaction(deps.db, async (tx) => {
    await lockedEnvelopeRow(tx, actor.envelope.id);
    const current = await firstRow(tx.select({ authFailures: recipients.authFailures, authLockedUntil: recipients.authLockedUntil }).from(recipients).where(eq(recipients.id, id)));
    if (!current) throw unknownToken();
    if (current.authLockedUntil && current.authLockedUntil > now) return current.authLockedUntil;
    if (ok) {
      await tx.update(recipients).set({ authenticatedAt: now, authFailures: 0, otpHash: null, otpExpiresAt: null }).where(eq(recipients.id, id));
      await audit(tx, deps, actor, "recipient.authenticated");
      return "authenticated";
    }
    const failures = current.authFailures + 1;
    if (failures < MAX_FAILURES) {
      await tx.update(recipients).set({ authFailures: failures }).where(eq(recipients.id, id));
      await audit(tx, deps, actor, "recipient.auth_failed", { failures });
      return failures;
    }
    const lockedUntil = new Date(now.getTime() + LOCK_MS);
    await tx.update(recipients).set({ authFailures: 0, authLockedUntil: lockedUntil, otpHash: null, otpExpiresAt: null }).where(eq(recipients.id, id));
    await audit(tx, deps, actor, "recipient.auth_locked", { failures });
    return lockedUntil;
  }, { isolation: "read committed" });
}

/** The Set-Cookie of a successful authentication: this signing link's API only, not readable by scripts. */
export function authCookie(token: string, value: string, secure: boolean): string {
  return `${AUTH_COOKIE}=${value}; Path=/api/v1/signing/${token}; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? "; Secure" : ""}`;
}
