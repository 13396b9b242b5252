import type { StorageAdapter } from '../../storage/storage.adapter';

/** What removing one item's objects freed, and the failure that stopped it, if any. */
export interface RemovalOutcome {
  /** Objects that existed and were deleted (or, in a dry run, would be). */
  removed: number;
  freedBytes: number;
  /** Set when a head or delete threw; objects before it were removed, the rest were not tried. */
  error?: unknown;
}

/**
 * Deletes each key that exists, sizing it first with head() so the run can report the bytes it
 * freed. In a dry run it only sizes them. A missing object is skipped, not an error: a re-run
 * after a partial failure finds part of the work already done.
 */
export async function removeObjects(
  storage: StorageAdapter,
  keys: readonly string[],
  options: { dryRun: boolean },
): Promise<RemovalOutcome> {
  let removed = 0;
  let freedBytes = 0;
  try {
    for (const key of keys) {
      const info = await storage.head(key);
      if (!info) continue;
      if (!options.dryRun) await storage.delete(key);
      removed++;
      freedBytes += info.size;
    }
  } catch (error) {
    return { removed, freedBytes, error };
  }
  return { removed, freedBytes };
}

/** Runs `work` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, U>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<U>,
): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}
