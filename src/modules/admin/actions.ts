import { desc } from "drizzle-orm";
import type { Clock } from "../../clock";
import { newId } from "../../ids";
import type { Tx } from "../../store/db";
import { adminActions, type Environment } from "../../store/schema";

export type AdminAction = typeof adminActions.$inferSelect;

/** Who did something in the console (or on the command line) and from where. */
export interface AdminActor {
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
}

export const CLI_ACTOR: AdminActor = { actor: "cli" };

/** Records one admin action (who, what, when, from which IP); call it in the transaction that does the action. */
export async function recordAction(
  tx: Tx,
  clock: Clock,
  who: AdminActor,
  a: { action: string; target?: string | null; environment?: Environment | null; data?: Record<string, unknown> },
): Promise<void> {
  await tx.insert(adminActions).values({
    id: newId("act"), at: clock.now(), actor: who.actor, action: a.action, target: a.target ?? null,
    environment: a.environment ?? null, ip: who.ip ?? null, userAgent: who.userAgent ?? null, data: a.data ?? null,
  });
}

/** The newest actions first. */
export const listActions = async (tx: Tx, limit = 200): Promise<AdminAction[]> =>
  await tx.select().from(adminActions).orderBy(desc(adminActions.at), desc(adminActions.id)).limit(limit);
