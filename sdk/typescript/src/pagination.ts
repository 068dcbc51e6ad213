/**
 * Every item of a list endpoint, fetching the next page (`startingAfter` = the last id seen)
 * only when the caller iterates that far.
 */
export async function* paginate<T extends { id: string }>(page: (startingAfter: string | undefined) => Promise<{ data: T[]; hasMore: boolean }>, startingAfter?: string): AsyncGenerator<T, void, undefined> {
  let after = startingAfter;
  for (;;) {
    const { data, hasMore } = await page(after);
    yield* data;
    if (!hasMore || data.length === 0) return;
    after = data[data.length - 1]!.id;
  }
}
