import { asc, eq } from "drizzle-orm";
import { isoOrNull } from "../../clock";
import type { Tx } from "../../store/db";
import { batchRows, batches } from "../../store/schema";

export type BatchRow = typeof batches.$inferSelect;

/** A batch with its progress: counts, each sent row's envelope, each failed row's problems. */
export async function batchView(tx: Tx, b: BatchRow) {
  const rows = await tx.select().from(batchRows).where(eq(batchRows.batchId, b.id)).orderBy(asc(batchRows.row));
  const sent = rows.filter((r) => r.status === "sent");
  const failed = rows.filter((r) => r.status === "failed");
  return {
    id: b.id,
    templateId: b.templateId,
    status: b.status,
    total: b.total,
    processed: rows.length,
    sent: sent.length,
    failed: failed.length,
    envelopes: sent.map((r) => ({ row: r.row, envelopeId: r.envelopeId! })),
    errors: failed.map((r) => ({ row: r.row, errors: r.errors ?? [] })),
    createdAt: b.createdAt.toISOString(),
    completedAt: isoOrNull(b.completedAt),
  };
}

export type BatchView = Awaited<ReturnType<typeof batchView>>;
