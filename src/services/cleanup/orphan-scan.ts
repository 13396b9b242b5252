import { AssetStatus, ScanStatus } from '../../entities/ip-asset.entity';
import { StorageError, type ListedObject, type OpenMultipartUpload } from '../../storage/storage.adapter';
import { storageKeys } from '../upload/file-name';
import type { CleanupContext } from './cleanup-context';
import type { OwnerRow, StoredObjectRow } from '../../repositories/cleanup.repository';
import { KeysetCursor, inKeyOrder, mergeByKey } from './key-order';
import { mapWithConcurrency, removeObjects } from './object-removal';

/** Prefixes whose objects are owned through storage_key (assets, and quarantined assets). */
export const STORED_OBJECT_PREFIXES = ['assets/', 'quarantine/'] as const;
const UPLOAD_PREFIX = 'incoming/';
const THUMBNAIL_PREFIX = 'thumbnails/';
/** ListObjectsV2 returns at most 1,000 keys per request. */
const LIST_PAGE_SIZE = 1000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const THUMBNAIL_KEY = new RegExp(`^thumbnails/(${UUID})\\.webp$`);
/** The asset id inside every key layout of storageKeys, with or without the quarantine prefix. */
const ASSET_ID_IN_KEY = new RegExp(
  `^(?:quarantine/)?(?:assets/(${UUID})/|incoming/(${UUID})$|thumbnails/(${UUID})\\.webp$)`,
);

/** The asset id a key was made for (see storageKeys), if it follows one of their layouts. */
export function assetIdInKey(key: string): string | undefined {
  const match = ASSET_ID_IN_KEY.exec(key);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** The asset id of a thumbnail-shaped key; merges only seek to those (see `thumbnailShaped`). */
function thumbnailAssetId(key: string): string {
  const id = THUMBNAIL_KEY.exec(key)?.[1];
  if (!id) throw new Error('not a thumbnail key');
  return id;
}

/** The smallest string above every key starting with `prefix`, for a range query. */
export function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * True when the row must have an object at storage_key: confirmed and kept (scanning, approved,
 * or rejected by the scan with the object kept or quarantined). Same rule as the SQL's.
 */
export function shouldHaveObject(row: { status: AssetStatus; scanStatus: ScanStatus }): boolean {
  if (row.status === AssetStatus.PROCESSING || row.status === AssetStatus.APPROVED) return true;
  return (
    row.status === AssetStatus.REJECTED &&
    (row.scanStatus === ScanStatus.INFECTED || row.scanStatus === ScanStatus.ERROR)
  );
}

/**
 * True when the row owns the object: its asset object, its thumbnail (for as long as the row
 * exists), or, while it is a DRAFT, its upload.
 */
export function ownsKey(row: OwnerRow, key: string): boolean {
  const kept = [row.storageKey, row.thumbnailKey, storageKeys.thumbnail(row.id)];
  if (kept.includes(key)) return true;
  return row.status === AssetStatus.DRAFT && storageKeys.uploadOf(row) === key;
}

/**
 * Finds objects no row owns and rows whose object is gone, by walking each storage prefix and
 * the matching rows side by side in byte order: one pass, one page of each in memory, plus at
 * most a batch of candidates. Candidates are checked again just before anything is deleted:
 * the object's owner is looked up afresh and the row's object is headed, because a confirm or a
 * quarantine may have moved things since the page was read.
 */
export class OrphanScan {
  private readonly pendingObjects: ListedObject[] = [];
  private readonly pendingRows: StoredObjectRow[] = [];

  constructor(private readonly context: CleanupContext) {}

  async run(): Promise<void> {
    for (const prefix of STORED_OBJECT_PREFIXES) await this.scanStoredObjects(prefix);
    await this.scanUploads();
    await this.scanThumbnails();
    await this.scanMultipartUploads();
  }

  /**
   * Open multipart uploads (ListMultipartUploads) that no DRAFT owns: parts nobody will complete,
   * a silent storage bill. Aborted once older than the grace period (an initiate stores its row
   * just after creating the upload).
   */
  private async scanMultipartUploads(): Promise<void> {
    const { storage, logger } = this.context;
    try {
      for await (const page of storage.listMultipartUploads('')) await this.abortUnowned(page);
    } catch (error) {
      // Some S3-compatible stores do not list multipart uploads: a gap to log, not a failed run.
      if (!(error instanceof StorageError && error.code === 'NotImplemented')) throw error;
      logger.warn('storage does not list multipart uploads: orphan multipart uploads were not checked');
    }
  }

  private async abortUnowned(page: OpenMultipartUpload[]): Promise<void> {
    const { queries, storage, report, logger, dryRun, graceCutoff } = this.context;
    const owned = await queries.multipartOwned(page.map((upload) => upload.uploadId));
    const orphans = page.filter(
      (upload) =>
        !owned.has(upload.uploadId) && upload.initiated !== undefined && upload.initiated < graceCutoff,
    );
    const outcomes = await mapWithConcurrency(orphans, this.context.storageConcurrency, async (upload) => {
      try {
        if (!dryRun) await storage.abortMultipartUpload(upload.key, upload.uploadId);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    orphans.forEach((upload, i) => {
      const error = outcomes[i];
      if (error !== undefined) {
        report.itemFailed('orphan multipart upload', error);
        logger.warn({ err: error, key: upload.key }, 'cleanup could not abort an orphan multipart upload');
        return;
      }
      report.multipartUploadsWithoutAsset++;
      report.orphanFound(upload.key);
    });
  }

  /** Objects under `prefix` against rows by storage_key, in both directions. */
  private async scanStoredObjects(prefix: string): Promise<void> {
    const { queries, batchSize, cutoffs, graceCutoff } = this.context;
    const range = { from: prefix, to: prefixUpperBound(prefix) };
    const rows = new KeysetCursor(
      (request) => queries.storageKeyRows(range, request, { cutoffs, graceCutoff }),
      (row) => row.storageKey,
      batchSize,
    );
    const listing = this.listing(prefix);
    let rowsKeptForEmptyListing = 0;
    for await (const step of mergeByKey(listing.objects, rows, { unmatchedRows: true })) {
      if (step.object) {
        if (!step.row) await this.objectCandidate(step.object);
        continue;
      }
      if (!this.isRowWithoutObject(step.row)) continue;
      // An empty listing where rows expect objects is far likelier a wrong bucket or an
      // unmounted directory than every object lost: never delete rows on that evidence.
      if (!listing.sawObject()) {
        rowsKeptForEmptyListing++;
        continue;
      }
      this.pendingRows.push(step.row);
      if (this.pendingRows.length >= batchSize) await this.flushRows();
    }
    await this.flushObjects();
    await this.flushRows();
    if (rowsKeptForEmptyListing > 0) {
      this.context.report.phaseSkipped(
        `orphan rows not removed: storage listed no objects where ${rowsKeptForEmptyListing} confirmed assets expect one (check the storage configuration)`,
      );
    }
  }

  /** Uploads against DRAFT rows by upload_key: only a DRAFT owns its upload. */
  private async scanUploads(): Promise<void> {
    const { queries, batchSize } = this.context;
    const drafts = new KeysetCursor(
      (request) => queries.uploadKeys(request),
      (key: string) => key,
      batchSize,
    );
    for await (const step of mergeByKey(this.listing(UPLOAD_PREFIX).objects, drafts, {
      unmatchedRows: false,
    })) {
      if (step.object && !step.row) await this.objectCandidate(step.object);
    }
    await this.flushObjects();
  }

  /** Thumbnails against asset ids: a thumbnail is kept for as long as its row exists. */
  private async scanThumbnails(): Promise<void> {
    const { queries, batchSize } = this.context;
    const ids = new KeysetCursor(
      async (request) => {
        const from = request.from && {
          id: thumbnailAssetId(request.from.key),
          inclusive: request.from.inclusive,
        };
        return (await queries.assetIds({ from, limit: request.limit })).map(storageKeys.thumbnail);
      },
      (key: string) => key,
      batchSize,
    );
    const thumbnails = this.thumbnailShaped(this.listing(THUMBNAIL_PREFIX).objects);
    for await (const step of mergeByKey(thumbnails, ids, { unmatchedRows: false })) {
      if (step.object && !step.row) await this.objectCandidate(step.object);
    }
    await this.flushObjects();
  }

  /** Keys no asset id could produce belong to no row; they go straight to the candidates. */
  private async *thumbnailShaped(objects: AsyncIterable<ListedObject>): AsyncGenerator<ListedObject> {
    for await (const object of objects) {
      if (THUMBNAIL_KEY.test(object.key)) yield object;
      else await this.objectCandidate(object);
    }
  }

  private listing(prefix: string): { objects: AsyncGenerator<ListedObject>; sawObject: () => boolean } {
    let seen = false;
    const pages = this.context.storage.list(prefix, { pageSize: LIST_PAGE_SIZE });
    async function* objects(): AsyncGenerator<ListedObject> {
      for await (const object of inKeyOrder(pages)) {
        seen = true;
        yield object;
      }
    }
    return { objects: objects(), sawObject: () => seen };
  }

  private isRowWithoutObject(row: StoredObjectRow): boolean {
    // Expired rows belong to the sweeps; counting them here too would report them twice.
    return !row.expired && row.settled && shouldHaveObject(row);
  }

  private async objectCandidate(object: ListedObject): Promise<void> {
    // Unknown age counts as young: an object is only an orphan once it is provably old.
    if (!object.lastModified || object.lastModified >= this.context.graceCutoff) return;
    this.pendingObjects.push(object);
    if (this.pendingObjects.length >= this.context.batchSize) await this.flushObjects();
  }

  /** Re-checks ownership of the candidate objects, then deletes (or counts) the orphans. */
  private async flushObjects(): Promise<void> {
    const candidates = this.pendingObjects.splice(0);
    if (candidates.length === 0) return;
    const { queries, storage, report, logger, graceCutoff } = this.context;
    const ids = [
      ...new Set(candidates.map((object) => assetIdInKey(object.key)).filter((id): id is string => !!id)),
    ];
    const owners = await queries.findOwners(
      ids,
      candidates.map((object) => object.key),
      graceCutoff,
    );
    const byId = new Map(owners.map((row) => [row.id, row]));
    const orphans = candidates.filter((object) => {
      if (owners.some((row) => ownsKey(row, object.key))) return false;
      const row = byId.get(assetIdInKey(object.key) ?? '');
      // A row of this asset changed within the grace period: a move may be half done.
      return !row?.changedRecently;
    });
    const removals = await mapWithConcurrency(orphans, this.context.storageConcurrency, (object) =>
      removeObjects(storage, [object.key], { dryRun: this.context.dryRun }),
    );
    orphans.forEach((object, i) => {
      const removal = removals[i];
      if (!removal) return;
      report.storageFreedBytes += removal.freedBytes;
      if (removal.error !== undefined) {
        const id = assetIdInKey(object.key);
        report.itemFailed(id ? `orphan object of asset ${id}` : 'orphan object', removal.error);
        logger.warn({ err: removal.error, key: object.key }, 'cleanup could not remove an orphan object');
        return;
      }
      if (removal.removed === 0) return; // gone since it was listed
      report.objectsWithoutRow++;
      report.orphanFound(object.key);
    });
  }

  /** Confirms each candidate row's object is really gone, then deletes (or counts) those rows. */
  private async flushRows(): Promise<void> {
    const candidates = this.pendingRows.splice(0);
    if (candidates.length === 0) return;
    const { storage, report, logger, dryRun } = this.context;
    const checks = await mapWithConcurrency(candidates, this.context.storageConcurrency, async (row) => {
      try {
        return { row, gone: (await storage.head(row.storageKey)) === null };
      } catch (error) {
        report.itemFailed(`asset ${row.id} without object`, error);
        logger.warn({ err: error, assetId: row.id }, 'cleanup could not check an object');
        return { row, gone: false };
      }
    });
    const gone = checks.filter((check) => check.gone).map((check) => check.row);
    let removed = gone;
    if (!dryRun) {
      // Only rows unchanged since they were read (same stateVersion), so still settled and
      // still expecting their object.
      const deleted = await this.context.lifecycle.transitionMany('cleanUpMissingObject', gone, {
        detail: { category: 'missing object' },
      });
      if (deleted.length > 0) {
        logger.warn({ assetIds: deleted.map((row) => row.id) }, 'deleted assets whose object was gone');
      }
      const deletedIds = new Set(deleted.map((row) => row.id));
      removed = gone.filter((row) => deletedIds.has(row.id)); // in key order, as a dry run reports them
    }
    // The row goes first: a thumbnail left behind by a failure is an orphan the next scan removes.
    const removals = await mapWithConcurrency(removed, this.context.storageConcurrency, (row) =>
      removeObjects(storage, row.thumbnailKey ? [row.thumbnailKey] : [], { dryRun }),
    );
    removed.forEach((row, i) => {
      report.rowsWithoutObject++;
      report.orphanFound(row.id);
      const removal = removals[i];
      if (!removal) return;
      report.storageFreedBytes += removal.freedBytes;
      if (removal.error !== undefined) {
        report.itemFailed(`thumbnail of asset ${row.id}`, removal.error);
        logger.warn({ err: removal.error, assetId: row.id }, 'cleanup could not remove a thumbnail');
      }
    });
  }
}
