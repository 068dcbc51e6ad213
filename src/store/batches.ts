/** Ids a bulk change writes per transaction: a few milliseconds each, so requests interleave. */
export const BULK_BATCH = 100;

/**
 * Runs `work` over `ids` a batch at a time, yielding to the event loop between batches (one
 * transaction over thousands of rows would hold every request behind it); answers the sum of
 * what each batch answered.
 */
export async function inBatches(ids: readonly string[], work: (batch: readonly string[]) => Promise<number>, size = BULK_BATCH): Promise<number> {
  let total = 0;
  for (let i = 0; i < ids.length; i += size) {
    if (i) await new Promise((next) => setImmediate(next));
    total += await work(ids.slice(i, i + size));
  }
  return total;
}
