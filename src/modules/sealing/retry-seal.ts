import { and, eq, inArray } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, notFound } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { inBatches } from "../../store/batches";
import { firstRow } from "../../store/portable-sql";
import type { Tx } from "../../store/db";
import { transaction } from "../../store/transaction";
import { envelopes, type Environment } from "../../store/schema";
import { appendAudit } from "../audit/service";
import type { ActorMeta } from "../envelopes/actor";

/**
 * Puts the given envelopes whose seal failed for good back in the queue, in the caller's
 * transaction: seal PENDING, a new seal job and an audit event each. An envelope that is no
 * longer FAILED (retried meanwhile) or of another environment is left alone; answers the ids retried.
 */
async function requeueSeals(tx: Tx, deps: Pick<Deps, "clock">, environment: Environment, who: ActorMeta, ids: readonly string[]): Promise<string[]> {
  const retried = await tx.update(envelopes).set({ sealStatus: "PENDING", updatedAt: deps.clock.now() })
    .where(and(inArray(envelopes.id, [...ids]), eq(envelopes.environment, environment), eq(envelopes.sealStatus, "FAILED")))
    .returning({ id: envelopes.id });
  for (const { id } of retried) {
    await enqueue(tx, deps.clock, { kind: "seal_envelope", payload: { envelopeId: id } });
    await appendAudit(tx, deps.clock, { envelopeId: id, type: "envelope.seal_retried", actor: who.actor, ip: who.ip, userAgent: who.userAgent });
  }
  return retried.map((r) => r.id);
}

/** Puts a COMPLETED envelope whose seal failed for good back in the queue (seal PENDING, a new seal job). */
export async function retrySeal(deps: Deps, environment: Environment, who: ActorMeta, envelopeId: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    if ((await requeueSeals(tx, deps, environment, who, [envelopeId])).length) return;
    const e = await firstRow(tx.select({ sealStatus: envelopes.sealStatus }).from(envelopes).where(and(eq(envelopes.id, envelopeId), eq(envelopes.environment, environment))));
    if (!e) throw notFound("Envelope", envelopeId);
    throw new AppError("conflict", `Envelope ${envelopeId} has no failed seal (seal status ${e.sealStatus ?? "none"})`);
  });
}

/**
 * Every failed seal in `ids` back in the queue (the console's "Retry all", after a time-stamp
 * authority or HSM outage), a batch per transaction; answers how many were retried.
 */
export const retrySeals = (deps: Deps, environment: Environment, who: ActorMeta, ids: readonly string[]): Promise<number> =>
  inBatches(ids, (batch) => transaction(deps.db, async (tx) => (await requeueSeals(tx, deps, environment, who, batch)).length));
