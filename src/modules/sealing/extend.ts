import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { transaction } from "../../store/transaction";
import { envelopeDocuments, envelopes } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { sealOnThread } from "./off-thread";
import { sealingKey } from "./service";

export interface ExtendOutcome {
  /** Envelopes whose sealed files got a new document time-stamp. */
  extended: string[];
  failed: { envelopeId: string; reason: string }[];
}

/**
 * Archival renewal (what `pyhanko sign ltaupdate` does): every sealed file whose last document
 * time-stamp's certificate expires within `beforeDays` gets a new document time-stamp and the
 * DSS for it, appended; nothing before it changes. The envelope's rows point to the new files and
 * an audit event records the old and new hashes.
 */
export async function extendArchivalSeals(deps: Deps, beforeDays: number): Promise<ExtendOutcome> {
  const outcome: ExtendOutcome = { extended: [], failed: [] };
  const horizon = new Date(deps.clock.now().getTime() + beforeDays * 86_400_000);
  const sealed = await deps.db.select({ id: envelopes.id, sealedSha256: envelopes.sealedSha256 }).from(envelopes).where(eq(envelopes.sealStatus, "SEALED"));
  const key = keyOnce(deps);
  for (const envelope of sealed) {
    try {
      const perDocument = await deps.db.select({ sha: envelopeDocuments.sealedSha256 }).from(envelopeDocuments).where(eq(envelopeDocuments.envelopeId, envelope.id));
      const files = [envelope.sealedSha256!, ...perDocument.map((d) => d.sha).filter((s): s is string => !!s)];
      const renewed = new Map<string, string>();
      for (const sha of new Set(files)) {
        // The file is read, checked, renewed and stored by a PDF thread (in a bucket, read here and handed over).
        const sealed = deps.files.directory ? { file: deps.files.path(sha) } : { bytes: await deps.files.get(sha) };
        const certificates = async () => [...(await key()).certificateChain, ...deps.trust.trustAnchors];
        const next = await sealOnThread(deps, { sealed }, { extend: { renewBefore: horizon }, certificates, store: true });
        if (next) renewed.set(sha, next.sha256);
      }
      if (renewed.size === 0) continue;
      await transaction(deps.db, async (tx) => {
        const whole = renewed.get(envelope.sealedSha256!);
        if (whole) await tx.update(envelopes).set({ sealedSha256: whole }).where(eq(envelopes.id, envelope.id));
        for (const [from, to] of renewed)
          await tx.update(envelopeDocuments).set({ sealedSha256: to }).where(and(eq(envelopeDocuments.envelopeId, envelope.id), eq(envelopeDocuments.sealedSha256, from)));
        await appendAudit(tx, deps.clock, { envelopeId: envelope.id, type: "envelope.seal_extended", actor: "system", data: { renewed: Object.fromEntries(renewed) } });
      });
      outcome.extended.push(envelope.id);
    } catch (e) {
      outcome.failed.push({ envelopeId: envelope.id, reason: (e as Error).message });
    }
  }
  if (outcome.extended.length || outcome.failed.length) deps.log.info("archival time-stamps renewed", { extended: outcome.extended.length, failed: outcome.failed });
  return outcome;
}

/** The sealing key, loaded at most once per sweep and only when a file needs it. */
const keyOnce = (deps: Deps) => {
  let loading: ReturnType<typeof sealingKey> | undefined;
  return () => (loading ??= sealingKey(deps));
};
