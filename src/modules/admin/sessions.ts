import { eq, lt, or, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { randomToken, sha256Hex } from "../../ids";
import { firstRow } from "../../store/portable-sql";
import { preparedPerDb } from "../../store/prepared";
import { adminSessions, adminUsers } from "../../store/schema";
import type { AdminUser } from "./accounts";

export type AdminSession = typeof adminSessions.$inferSelect;
type SessionDeps = Pick<Deps, "db" | "clock" | "config">;

export const SESSION_COOKIE = "certyneo_admin";

/** A new session for an admin whose password was right; `verified` once any second factor is given too. */
export async function startSession(deps: SessionDeps, admin: AdminUser, from: { ip: string | null; userAgent: string | null }, verified: boolean) {
  const token = randomToken(32);
  const now = deps.clock.now();
  const row: AdminSession = {
    idHash: sha256Hex(token), adminId: admin.id, csrfToken: randomToken(24), verified,
    createdAt: now, lastSeenAt: now, ip: from.ip, userAgent: from.userAgent,
  };
  await deps.db.insert(adminSessions).values(row);
  return { token, session: row };
}

/**
 * The live session behind a cookie value, refreshed (idle timer restarted); null when unknown
 * or past its idle or absolute expiry (config.admin), in which case it is deleted.
 */
export async function readSession(deps: SessionDeps, token: string | undefined): Promise<{ session: AdminSession; admin: AdminUser } | null> {
  if (!token) return null;
  const idHash = sha256Hex(token);
  const row = await firstRow(deps.db.select({ session: adminSessions, admin: adminUsers }).from(adminSessions)
    .innerJoin(adminUsers, eq(adminUsers.id, adminSessions.adminId)).where(eq(adminSessions.idHash, idHash)));
  if (!row) return null;
  const now = deps.clock.now().getTime();
  const { sessionIdleMinutes, sessionMaxHours } = deps.config.admin;
  if (now - row.session.lastSeenAt.getTime() > sessionIdleMinutes * 60_000 || now - row.session.createdAt.getTime() > sessionMaxHours * 3600_000) {
    await deps.db.delete(adminSessions).where(eq(adminSessions.idHash, idHash));
    return null;
  }
  await deps.db.update(adminSessions).set({ lastSeenAt: new Date(now) }).where(eq(adminSessions.idHash, idHash));
  return row;
}

export async function markVerified(deps: SessionDeps, session: AdminSession) {
  await deps.db.update(adminSessions).set({ verified: true }).where(eq(adminSessions.idHash, session.idHash));
}

export async function endSession(deps: SessionDeps, session: AdminSession) {
  await deps.db.delete(adminSessions).where(eq(adminSessions.idHash, session.idHash));
}

/** Prepared once: the job runner purges on every poll (each second). Times in ms, as stored (a placeholder is not encoded by the column). */
const expiredSessions = preparedPerDb((db) => db.delete(adminSessions).where(or(
  lt(adminSessions.lastSeenAt, sql.placeholder("idleSince")),
  lt(adminSessions.createdAt, sql.placeholder("startedBefore")),
)).prepare());

/** Deletes sessions past either expiry; run on a timer so abandoned sessions do not pile up. */
export async function purgeExpiredSessions(deps: SessionDeps) {
  const now = deps.clock.now().getTime();
  const { sessionIdleMinutes, sessionMaxHours } = deps.config.admin;
  await expiredSessions(deps.db).execute({ idleSince: now - sessionIdleMinutes * 60_000, startedBefore: now - sessionMaxHours * 3600_000 });
}

/** The cookie: HttpOnly, SameSite=Strict, scoped to /admin, Secure when the public URL is https. */
export function sessionCookie(config: Deps["config"], value: string | null): string {
  const parts = [`${SESSION_COOKIE}=${value ?? ""}`, "Path=/admin", "HttpOnly", "SameSite=Strict"];
  if (config.baseUrl.startsWith("https:")) parts.push("Secure");
  if (value === null) parts.push("Max-Age=0");
  return parts.join("; ");
}

