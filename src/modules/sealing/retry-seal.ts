import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, notFound } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { envelopes, type Environment } from "../../store/schema";
import { appendAudit } from "../audit/service";
import type { ActorMeta } from "../envelopes/actor";

/** Puts a COMPLETED envelope whose seal failed for good back in the queue (seal PENDING, a new seal job). */
export async function retrySeal(deps: Deps, environment: Environment, who: ActorMeta, envelopeId: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const e = await firstRow(tx.select().from(envelopes).where(and(eq(envelopes.id, envelopeId), eq(envelopes.environment, environment))));
    if (!e) throw notFound("Envelope", envelopeId);
    if (e.sealStatus !== "FAILED") throw new AppError("conflict", `Envelope ${envelopeId} has no failed seal (seal status ${e.sealStatus ?? "none"})`);
    await tx.update(envelopes).set({ sealStatus: "PENDING", updatedAt: deps.clock.now() }).where(eq(envelopes.id, envelopeId));
    await enqueue(tx, deps.clock, { kind: "seal_envelope", payload: { envelopeId } });
    await appendAudit(tx, deps.clock, { envelopeId, type: "envelope.seal_retried", actor: who.actor, ip: who.ip, userAgent: who.userAgent });
  });
}
