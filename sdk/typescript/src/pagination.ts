import { CertyneoError } from "./errors.js";

/** The server refused `startingAfter`: the item it names was deleted meanwhile (a draft envelope is). */
const unknownCursor = (e: unknown) => e instanceof CertyneoError && e.code === "validation_failed" && e.errors.some((f) => f.pointer === "/startingAfter");

/**
 * Every item of a list endpoint, fetching the next page (`startingAfter` = the last id seen)
 * only when the caller iterates that far. When the last item seen has been deleted meanwhile,
 * the next page starts after the page's previous item instead, skipping what was yielded.
 */
export async function* paginate<T extends { id: string }>(page: (startingAfter: string | undefined) => Promise<{ data: T[]; hasMore: boolean }>, startingAfter?: string): AsyncGenerator<T, void, undefined> {
  let after = startingAfter;
  let yielded: string[] = [];
  for (;;) {
    let result: { data: T[]; hasMore: boolean };
    for (let i = yielded.length - 1; ; i--) {
      try {
        result = await page(after);
        break;
      } catch (e) {
        if (i < 1 || !unknownCursor(e)) throw e;
        after = yielded[i - 1];
      }
    }
    const { data, hasMore } = result;
    const seen = new Set(yielded);
    yield* data.filter((item) => !seen.has(item.id));
    if (!hasMore || data.length === 0) return;
    yielded = data.map((item) => item.id);
    after = yielded[yielded.length - 1];
  }
}
