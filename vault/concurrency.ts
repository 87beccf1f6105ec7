/**
 * Bounded concurrency for scans: a Vault with 10,000 tokens is read with 10,000 lookups, and
 * sending them all at once would trip rate-limit quotas and hold every answer in flight. At most
 * `limit` calls run at a time; results come back in input order. A leaf like the client.
 */

/**
 * Calls `fn` for every item with at most `limit` calls in flight, and resolves with the results in
 * the order of `items`. `fn` should settle its own failures (return them as values) when one
 * failure must not stop the rest; a rejection stops new calls and rejects once running ones end.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onSettled?: (done: number, total: number) => void,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapConcurrent: limit must be a whole number ≥ 1, got ${limit}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failed ??= { error };
        return;
      }
      done++;
      onSettled?.(done, items.length);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(limit, items.length); w++) workers.push(worker());
  await Promise.all(workers);
  if (failed) throw failed.error;
  return results;
}
