import type { Db } from '../../repositories/asset.repository';
import { storageKeys } from '../upload/file-name';
import type { CleanupContext } from './cleanup-context';
import type { ExpiredRow, ExpiryKeyset } from '../../repositories/cleanup.repository';
import type { CleanupCategory } from './cleanup.types';
import { mapWithConcurrency, removeObjects, type RemovalOutcome } from './object-removal';

/**
 * The objects an expired row's cleanup removes. An abandoned DRAFT only has its upload (named the
 * way confirm names it when upload_key is missing); a deleted row takes every object it points to.
 */
export function objectKeysOf(category: CleanupCategory, row: ExpiredRow): string[] {
  if (category === 'abandoned') return [storageKeys.uploadOf(row)];
  const keys = [row.storageKey, row.uploadKey, row.thumbnailKey].filter((key): key is string => !!key);
  return [...new Set(keys)];
}

interface BatchOutcome {
  rows: ExpiredRow[];
  removals: RemovalOutcome[];
  /** Rows changed or deleted (real run), or that would be (dry run). */
  finished: { id: string }[];
}

/**
 * Cleans one expiry category batch by batch, oldest first, until no expired row is left after
 * the last one seen. Each batch runs in one transaction: lock the rows (skipping any a confirm
 * holds), delete their objects, then one lifecycle transition (a conditional UPDATE or DELETE
 * with its events) for the rows whose objects are gone. A row whose object could not be deleted keeps its state, so the next run retries it.
 */
export async function sweepExpired(context: CleanupContext, category: CleanupCategory): Promise<void> {
  const cutoff = context.cutoffs[category];
  let after: ExpiryKeyset | undefined;
  for (;;) {
    const batch = context.dryRun
      ? await previewBatch(context, category, cutoff, after)
      : await context.lifecycle.transaction((trx) => cleanBatch(context, category, cutoff, after, trx));
    if (batch.rows.length === 0) return;
    record(context, category, batch);
    after = batch.rows.at(-1)?.keyset;
  }
}

async function cleanBatch(
  context: CleanupContext,
  category: CleanupCategory,
  cutoff: Date,
  after: ExpiryKeyset | undefined,
  trx: Db,
): Promise<BatchOutcome> {
  const { queries, lifecycle } = context;
  const rows = await queries.selectExpired(
    category,
    { cutoff, after, limit: context.batchSize, lock: true },
    trx,
  );
  const removals = await removeAll(context, category, rows);
  const removedIds = rows.filter((_, i) => removals[i]?.error === undefined).map((row) => row.id);
  // The rows are locked by this transaction, so they are still expired as selected.
  const finished =
    category === 'abandoned'
      ? await lifecycle.transitionMany('rejectAbandoned', removedIds, { db: trx })
      : await lifecycle.transitionMany('cleanUpRejected', removedIds, { detail: { category }, db: trx });
  return { rows, removals, finished };
}

/** A dry run reads without locking and only sizes the objects. */
async function previewBatch(
  context: CleanupContext,
  category: CleanupCategory,
  cutoff: Date,
  after: ExpiryKeyset | undefined,
): Promise<BatchOutcome> {
  const rows = await context.queries.selectExpired(category, {
    cutoff,
    after,
    limit: context.batchSize,
    lock: false,
  });
  const removals = await removeAll(context, category, rows);
  return { rows, removals, finished: rows.filter((_, i) => removals[i]?.error === undefined) };
}

function removeAll(
  context: CleanupContext,
  category: CleanupCategory,
  rows: ExpiredRow[],
): Promise<RemovalOutcome[]> {
  return mapWithConcurrency(rows, context.storageConcurrency, async (row) => {
    // An abandoned multipart upload's parts go first; the row keeps its state if that fails.
    if (category === 'abandoned' && row.multipartUploadId && !context.dryRun) {
      try {
        await context.storage.abortMultipartUpload(row.storageKey, row.multipartUploadId);
      } catch (error) {
        return { removed: 0, freedBytes: 0, error };
      }
    }
    return removeObjects(context.storage, objectKeysOf(category, row), { dryRun: context.dryRun });
  });
}

function record(context: CleanupContext, category: CleanupCategory, batch: BatchOutcome): void {
  const { report } = context;
  const tally = report.categories[category];
  batch.rows.forEach((row, i) => {
    const removal = batch.removals[i] as RemovalOutcome;
    // Bytes of objects deleted before a failure count too: they are gone.
    report.storageFreedBytes += removal.freedBytes;
    if (removal.error === undefined) return;
    tally.failed++;
    report.itemFailed(`${category} asset ${row.id}`, removal.error);
    context.logger.warn(
      { err: removal.error, assetId: row.id, category },
      'cleanup could not remove an object',
    );
  });
  tally.cleaned += batch.finished.length;
}
