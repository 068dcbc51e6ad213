import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, invalid, notFound } from "../../errors";
import { newId } from "../../ids";
import type { Tx } from "../../store/db";
import { affectedRows, firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { adminLoginThrottle, adminSessions, adminUsers } from "../../store/schema";
import { recordAction, type AdminActor } from "./actions";
import { totpStep } from "./totp";

export type AdminUser = typeof adminUsers.$inferSelect;
type AccountDeps = Pick<Deps, "db" | "clock">;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 12;

const normalise = (email: string) => email.trim().toLowerCase();

function checkInput(email: string, password: string) {
  const errors = [];
  if (!EMAIL.test(email)) errors.push({ pointer: "/email", message: "not an e-mail address" });
  if (password.length < MIN_PASSWORD_LENGTH) errors.push({ pointer: "/password", message: `at least ${MIN_PASSWORD_LENGTH} characters` });
  if (errors.length) throw invalid(errors, errors.map((e) => `${e.pointer.slice(1)}: ${e.message}`).join("; "));
}

const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });

export const findAdmin = (deps: AccountDeps, email: string): Promise<AdminUser | undefined> =>
  firstRow(deps.db.select().from(adminUsers).where(eq(adminUsers.email, normalise(email))));

export async function createAdmin(deps: AccountDeps, who: AdminActor, input: { email: string; password: string }): Promise<AdminUser> {
  const email = normalise(input.email);
  checkInput(email, input.password);
  if (await findAdmin(deps, email)) throw new AppError("conflict", `An admin ${email} already exists; use reset-password`);
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const row: AdminUser = { id: newId("adm"), email, passwordHash, totpSecret: null, totpLastStep: null, createdAt: now, updatedAt: now, lastLoginAt: null };
  await transaction(deps.db, async (tx) => {
    await tx.insert(adminUsers).values(row);
    await recordAction(tx, deps.clock, who, { action: "admin.created", target: email });
  });
  return row;
}

/** A new password ends every session of the account and lifts its lockout. */
export async function resetPassword(deps: AccountDeps, who: AdminActor, input: { email: string; password: string }): Promise<AdminUser> {
  const email = normalise(input.email);
  checkInput(email, input.password);
  const admin = await findAdmin(deps, email);
  if (!admin) throw notFound("Admin", email);
  const passwordHash = await hashPassword(input.password);
  await transaction(deps.db, async (tx) => {
    await tx.update(adminUsers).set({ passwordHash, updatedAt: deps.clock.now() }).where(eq(adminUsers.id, admin.id));
    await tx.delete(adminSessions).where(eq(adminSessions.adminId, admin.id));
    await tx.delete(adminLoginThrottle).where(eq(adminLoginThrottle.email, email));
    await recordAction(tx, deps.clock, who, { action: "admin.password_reset", target: email });
  });
  return { ...admin, passwordHash };
}

/**
 * Turns the TOTP second factor on (a base32 secret) or off (null), and ends the account's
 * sessions: they were opened under the old rule (a second factor is often turned on because the
 * password may have leaked).
 */
export async function setTotp(deps: AccountDeps, who: AdminActor, email: string, secret: string | null): Promise<AdminUser> {
  const admin = await findAdmin(deps, email);
  if (!admin) throw notFound("Admin", normalise(email));
  await transaction(deps.db, async (tx) => {
    await tx.update(adminUsers).set({ totpSecret: secret, totpLastStep: null, updatedAt: deps.clock.now() }).where(eq(adminUsers.id, admin.id));
    await tx.delete(adminSessions).where(eq(adminSessions.adminId, admin.id));
    await recordAction(tx, deps.clock, who, { action: secret ? "admin.totp_enabled" : "admin.totp_disabled", target: admin.email });
  });
  return { ...admin, totpSecret: secret };
}

export const listAdmins = async (deps: AccountDeps): Promise<AdminUser[]> => await deps.db.select().from(adminUsers).orderBy(adminUsers.email);

export type LoginResult = { ok: true; admin: AdminUser } | { ok: false; locked: boolean; retryAfterSeconds?: number };

/** Verifying against this when the e-mail is unknown costs the same time as a real check. */
let decoy: Promise<string> | null = null;

type LoginDeps = Pick<Deps, "db" | "clock" | "config">;
type From = Omit<AdminActor, "actor">;

const record = (deps: LoginDeps, from: From, email: string, action: string, data?: Record<string, unknown>) =>
  transaction(deps.db, (tx) => recordAction(tx, deps.clock, { actor: email, ...from }, { action, target: email, data }));

/** An attempt taken: refused (locked, the seconds left), or counted as this many failures in a row. */
type Attempt = { locked: true; seconds: number } | Taken;
/** An attempt counted: the failures in a row with it, and the lock it set (0 ms: none). */
type Taken = { locked: false; failures: number; lockMs: number; lockedUntil: Date | null };

/**
 * Takes one attempt at an e-mail's sign-in (a password or a TOTP code), counted as a failure
 * before the answer is checked and taken back if it is right (settleAttempt): requests arriving
 * together (other nodes, or requests interleaving at the checks' awaits) cannot all pass the
 * lock before any of them is counted. After config.admin.lockoutAfter failures in a row the
 * e-mail is locked for lockoutSeconds, doubling with each further failure up to lockoutMaxMinutes.
 */
async function takeAttempt(deps: LoginDeps, email: string): Promise<Attempt> {
  const { lockoutAfter, lockoutSeconds, lockoutMaxMinutes } = deps.config.admin;
  const now = deps.clock.now();
  return transaction(deps.db, async (tx): Promise<Attempt> => {
    const before = await firstRow(tx.select().from(adminLoginThrottle).where(eq(adminLoginThrottle.email, email)));
    const left = (before?.lockedUntil?.getTime() ?? 0) - now.getTime();
    if (left > 0) return { locked: true, seconds: Math.ceil(left / 1000) };
    const failures = (before?.failures ?? 0) + 1;
    const lockMs = failures >= lockoutAfter ? Math.min(lockoutSeconds * 1000 * 2 ** (failures - lockoutAfter), lockoutMaxMinutes * 60_000) : 0;
    const lockedUntil = lockMs ? new Date(now.getTime() + lockMs) : null;
    await tx.insert(adminLoginThrottle).values({ email, failures, lockedUntil, updatedAt: now })
      .onConflictDoUpdate({ target: adminLoginThrottle.email, set: { failures, lockedUntil, updatedAt: now } });
    return { locked: false, failures, lockMs, lockedUntil };
  });
}

/**
 * A right answer: "signed-in" clears the e-mail's failures; "password" (an account that still
 * needs its TOTP code) only takes this attempt back, with any lock it set, so that signing in
 * with the password again does not reset the count of wrong codes.
 */
async function settleAttempt(tx: Tx, email: string, attempt: Taken, done: "signed-in" | "password") {
  const row = await firstRow(tx.select().from(adminLoginThrottle).where(eq(adminLoginThrottle.email, email)));
  const failures = (row?.failures ?? 0) - 1;
  if (done === "signed-in" || failures <= 0) await tx.delete(adminLoginThrottle).where(eq(adminLoginThrottle.email, email));
  else await tx.update(adminLoginThrottle).set({ failures, lockedUntil: attempt.lockMs ? null : row!.lockedUntil }).where(eq(adminLoginThrottle.email, email));
}

/** takeAttempt, with a locked-out attempt recorded and answered as such. */
async function attemptUnlessLocked(deps: LoginDeps, from: From, email: string): Promise<Taken | (LoginResult & { ok: false })> {
  const attempt = await takeAttempt(deps, email);
  if (!attempt.locked) return attempt;
  await record(deps, from, email, "login.locked");
  return { ok: false, locked: true, retryAfterSeconds: attempt.seconds };
}

/** A wrong answer, recorded with the count the attempt was taken with. */
async function failed(deps: LoginDeps, from: From, email: string, action: string, a: Taken): Promise<LoginResult & { ok: false }> {
  await record(deps, from, email, action, { failures: a.failures, lockedUntil: a.lockedUntil?.toISOString() ?? null });
  return a.lockMs ? { ok: false, locked: true, retryAfterSeconds: Math.ceil(a.lockMs / 1000) } : { ok: false, locked: false };
}

/**
 * Checks an e-mail and password, under the lockout (takeAttempt). Unknown e-mails are
 * counted the same and cost the same time, so neither a lockout nor a delay says which
 * accounts exist. Every attempt is an admin action.
 */
export async function authenticate(deps: LoginDeps, from: From, emailInput: string, password: string): Promise<LoginResult> {
  const email = normalise(emailInput).slice(0, 320);
  const attempt = await attemptUnlessLocked(deps, from, email);
  if ("ok" in attempt) return attempt;
  const admin = await findAdmin(deps, email);
  const valid = admin
    ? await Bun.password.verify(password, admin.passwordHash)
    : (await Bun.password.verify(password, await (decoy ??= hashPassword(crypto.randomUUID()))), false);
  if (!valid || !admin) return failed(deps, from, email, "login.failed", attempt);
  await transaction(deps.db, async (tx) => {
    await settleAttempt(tx, email, attempt, admin.totpSecret ? "password" : "signed-in");
    await tx.update(adminUsers).set({ lastLoginAt: deps.clock.now() }).where(eq(adminUsers.id, admin.id));
  });
  await record(deps, from, email, "login.password_ok");
  return { ok: true, admin };
}

/** Checks the TOTP code of an account whose password was right, under the same lockout as passwords. */
export async function checkTotpCode(deps: LoginDeps, from: From, admin: AdminUser, code: string): Promise<LoginResult> {
  const attempt = await attemptUnlessLocked(deps, from, admin.email);
  if ("ok" in attempt) return attempt;
  const step = admin.totpSecret ? await totpStep(admin.totpSecret, code, deps.clock.now()) : null;
  if (step === null) return failed(deps, from, admin.email, "login.totp_failed", attempt);
  // A code is good once (RFC 6238 §5.2): one seen over the sign-in's shoulder, or relayed, is not a second sign-in.
  const fresh = await transaction(deps.db, async (tx) => {
    const taken = affectedRows(await tx.update(adminUsers).set({ totpLastStep: step })
      .where(and(eq(adminUsers.id, admin.id), or(isNull(adminUsers.totpLastStep), lt(adminUsers.totpLastStep, step)))));
    if (taken) await settleAttempt(tx, admin.email, attempt, "signed-in");
    return taken === 1;
  });
  if (!fresh) return failed(deps, from, admin.email, "login.totp_reused", attempt);
  return { ok: true, admin };
}
