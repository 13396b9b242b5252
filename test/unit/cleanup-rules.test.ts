import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AssetStatus, ScanStatus } from '../../src/entities/ip-asset.entity';
import { createAppMetrics } from '../../src/observability/metrics';
import { recordCleanupMetrics } from '../../src/services/cleanup';
import type { ExpiredRow, OwnerRow } from '../../src/repositories/cleanup.repository';
import {
  CleanupReport,
  MAX_ORPHAN_EXAMPLES,
  MAX_REPORTED_ERRORS,
  describeFailure,
} from '../../src/services/cleanup/cleanup-report';
import { objectKeysOf } from '../../src/services/cleanup/expired-sweep';
import { mapWithConcurrency, removeObjects } from '../../src/services/cleanup/object-removal';
import {
  assetIdInKey,
  ownsKey,
  prefixUpperBound,
  shouldHaveObject,
} from '../../src/services/cleanup/orphan-scan';
import { storageKeys } from '../../src/services/upload/file-name';
import { StorageError, type ObjectInfo, type StorageAdapter } from '../../src/storage/storage.adapter';

const id = randomUUID();

function owner(overrides: Partial<OwnerRow> = {}): OwnerRow {
  return {
    id,
    status: AssetStatus.APPROVED,
    storageKey: storageKeys.asset(id, 'a.png'),
    uploadKey: null,
    thumbnailKey: null,
    changedRecently: false,
    ...overrides,
  };
}

function expired(overrides: Partial<ExpiredRow> = {}): ExpiredRow {
  return {
    id,
    createdBy: 'u',
    mimeType: 'image/png',
    fileSize: 1,
    storageKey: storageKeys.asset(id, 'a.png'),
    uploadKey: null,
    multipartUploadId: null,
    thumbnailKey: null,
    keyset: { at: '2020-01-01 00:00:00+00', id },
    ...overrides,
  };
}

describe('key layout helpers', () => {
  it('finds the asset id in every storage key layout, and nowhere else', () => {
    expect(assetIdInKey(storageKeys.asset(id, 'a.png'))).toBe(id);
    expect(assetIdInKey(storageKeys.quarantine(storageKeys.asset(id, 'a.png')))).toBe(id);
    expect(assetIdInKey(storageKeys.upload(id))).toBe(id);
    expect(assetIdInKey(storageKeys.thumbnail(id))).toBe(id);
    expect(assetIdInKey(`incoming/${id}/extra`)).toBeUndefined();
    expect(assetIdInKey('thumbnails/x.webp')).toBeUndefined();
    expect(assetIdInKey(`other/${id}`)).toBeUndefined();
  });

  it('bounds a prefix range just above the prefix', () => {
    expect(prefixUpperBound('assets/')).toBe('assets0');
    expect('assets/zzz' < prefixUpperBound('assets/')).toBe(true);
    expect('assets0' < prefixUpperBound('assets/')).toBe(false);
  });
});

describe('ownership rules', () => {
  it('expects an object only from confirmed assets that keep one', () => {
    expect(shouldHaveObject({ status: AssetStatus.PROCESSING, scanStatus: ScanStatus.SCANNING })).toBe(true);
    expect(shouldHaveObject({ status: AssetStatus.APPROVED, scanStatus: ScanStatus.CLEAN })).toBe(true);
    expect(shouldHaveObject({ status: AssetStatus.REJECTED, scanStatus: ScanStatus.INFECTED })).toBe(true);
    expect(shouldHaveObject({ status: AssetStatus.REJECTED, scanStatus: ScanStatus.ERROR })).toBe(true);
    // Content mismatch and abandoned uploads never had a stored object.
    expect(shouldHaveObject({ status: AssetStatus.REJECTED, scanStatus: ScanStatus.PENDING })).toBe(false);
    expect(shouldHaveObject({ status: AssetStatus.DRAFT, scanStatus: ScanStatus.PENDING })).toBe(false);
  });

  it('lets a row own its object and thumbnail always, and its upload only while DRAFT', () => {
    expect(ownsKey(owner(), storageKeys.asset(id, 'a.png'))).toBe(true);
    expect(ownsKey(owner(), storageKeys.thumbnail(id))).toBe(true);
    expect(ownsKey(owner(), storageKeys.upload(id))).toBe(false);
    expect(
      ownsKey(
        owner({ status: AssetStatus.DRAFT, uploadKey: storageKeys.upload(id) }),
        storageKeys.upload(id),
      ),
    ).toBe(true);
    // confirm falls back to the conventional key when upload_key is empty; so does ownership.
    expect(ownsKey(owner({ status: AssetStatus.DRAFT }), storageKeys.upload(id))).toBe(true);
    expect(ownsKey(owner(), storageKeys.asset(randomUUID(), 'a.png'))).toBe(false);
  });

  it('removes the upload of an abandoned DRAFT, and every object of a deleted row', () => {
    expect(objectKeysOf('abandoned', expired({ uploadKey: 'incoming/x' }))).toEqual(['incoming/x']);
    expect(objectKeysOf('abandoned', expired())).toEqual([storageKeys.upload(id)]);
    expect(objectKeysOf('failed', expired({ thumbnailKey: storageKeys.thumbnail(id) }))).toEqual([
      storageKeys.asset(id, 'a.png'),
      storageKeys.thumbnail(id),
    ]);
    expect(
      objectKeysOf('infected', expired({ storageKey: 'quarantine/k', uploadKey: 'quarantine/k' })),
    ).toEqual(['quarantine/k']);
  });
});

describe('CleanupReport', () => {
  it('describes failures without provider messages', () => {
    const leaky = new StorageError('Storage delete failed', {
      operation: 'delete',
      code: 'AccessDenied',
      cause: new Error('bucket secret-bucket at /srv/data denied'),
    });
    expect(describeFailure(leaky)).toBe('storage delete failed (AccessDenied)');
    expect(describeFailure(new StorageError('x', { operation: 'head', code: 'has spaces/and paths' }))).toBe(
      'storage head failed',
    );
    expect(describeFailure(Object.assign(new Error('relation "x" at /var/lib'), { code: '57P01' }))).toBe(
      'database error (57P01)',
    );
    expect(describeFailure(new Error('/home/me/secret'))).toBe('unexpected error');
  });

  it('caps errors and examples, saying how many errors it left out', () => {
    const report = new CleanupReport(false);
    for (let i = 0; i < MAX_REPORTED_ERRORS + 5; i++) report.itemFailed(`asset ${i}`, new Error('x'));
    for (let i = 0; i < MAX_ORPHAN_EXAMPLES + 5; i++) report.orphanFound(`k${i}`);
    const result = report.toResult();
    expect(result.errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(result.errors.at(-1)).toBe('…and 5 more errors (see the logs)');
    expect(result.orphans.examples).toHaveLength(MAX_ORPHAN_EXAMPLES);
  });

  it('counts items and runs in the metrics, and nothing for a dry run', async () => {
    const metrics = createAppMetrics({ collectDefaultMetrics: false });
    const report = new CleanupReport(false);
    report.categories.failed.cleaned = 4;
    report.categories.failed.failed = 1;
    recordCleanupMetrics(metrics, report);
    const aborted = new CleanupReport(false);
    aborted.phaseAborted('orphan scan', new Error('down'));
    recordCleanupMetrics(metrics, aborted);
    const dry = new CleanupReport(true);
    dry.categories.abandoned.cleaned = 9;
    recordCleanupMetrics(metrics, dry);

    const items = (await metrics.cleanupItems.get()).values;
    const item = (category: string, result: string) =>
      items.find((v) => v.labels.category === category && v.labels.result === result)?.value;
    expect(item('failed', 'cleaned')).toBe(4);
    expect(item('failed', 'failed')).toBe(1);
    expect(item('abandoned', 'cleaned')).toBe(0);
    const runs = (await metrics.cleanupRuns.get()).values;
    expect(runs.find((v) => v.labels.result === 'success')?.value).toBe(1);
    expect(runs.find((v) => v.labels.result === 'failure')?.value).toBe(1);
  });
});

describe('object removal', () => {
  function fakeStorage(objects: Record<string, number>, failDelete?: string) {
    const deleted: string[] = [];
    const storage = {
      async head(key: string): Promise<ObjectInfo | null> {
        return key in objects ? { size: objects[key] as number } : null;
      },
      async delete(key: string): Promise<void> {
        if (key === failDelete) throw new StorageError('Storage delete failed', { operation: 'delete' });
        deleted.push(key);
      },
    } as unknown as StorageAdapter;
    return { storage, deleted };
  }

  it('sizes then deletes existing objects, skipping missing ones', async () => {
    const { storage, deleted } = fakeStorage({ a: 3, c: 4 });
    expect(await removeObjects(storage, ['a', 'b', 'c'], { dryRun: false })).toEqual({
      removed: 2,
      freedBytes: 7,
    });
    expect(deleted).toEqual(['a', 'c']);
  });

  it('only sizes in a dry run', async () => {
    const { storage, deleted } = fakeStorage({ a: 3 });
    expect(await removeObjects(storage, ['a'], { dryRun: true })).toEqual({ removed: 1, freedBytes: 3 });
    expect(deleted).toEqual([]);
  });

  it('stops at the first failure, keeping count of what it already freed', async () => {
    const { storage, deleted } = fakeStorage({ a: 3, b: 5, c: 1 }, 'b');
    const outcome = await removeObjects(storage, ['a', 'b', 'c'], { dryRun: false });
    expect(outcome).toMatchObject({ removed: 1, freedBytes: 3 });
    expect(outcome.error).toBeInstanceOf(StorageError);
    expect(deleted).toEqual(['a']);
  });

  it('runs at most `limit` calls at once and keeps the input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
