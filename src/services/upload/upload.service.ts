import { AssetStatus, type IpAsset, ScanStatus } from '../../entities/ip-asset.entity';
import { ERRORS } from '../../errors';
import type { Logger } from '../../logger';
import type { AssetRepository } from '../../repositories/asset.repository';
import {
  StorageObjectNotFound,
  type CompletedPart,
  type StorageAdapter,
} from '../../storage/storage.adapter';
import type { Actor } from '../actor';
import type { AssetLifecycle } from '../lifecycle/asset-lifecycle';
import { claimDraft } from './confirm-claim';
import { CONTENT_SNIFF_BYTES, checkLeadingBytes } from './content-check';
import { storageKeys } from './file-name';
import { assertMetadataShape, assertStorableText } from './input-rules';
import type { MultipartUploadService } from './multipart-upload.service';
import { checkNewUpload, draftAsset } from './new-draft';
import { normalizeMimeType } from './mime-types';
import type { UploadQuota } from './upload-quota';
import { decodeCursor, encodeCursor } from './cursor';

export interface UploadSettings {
  maxFileSize: number;
  /** Largest single-PUT upload (S3: 5 GiB); larger files must go multipart. */
  singleUploadMaxBytes: number;
  allowedMimeTypes: readonly string[];
  urlTtlSeconds: number;
  /** Lifetime of download and thumbnail URLs handed to clients. */
  downloadUrlTtlSeconds: number;
}

export interface InitiateUploadRequest {
  fileName: string;
  fileSize: number;
  mimeType: string;
  projectId?: string | null;
  checksumSha256?: string | null;
}

export interface ConfirmUploadRequest {
  assetId: string;
  title: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  /** Multipart uploads: the parts with their ETags; without them, what storage lists. */
  parts?: readonly CompletedPart[] | null;
}

export interface InitiatedUpload {
  asset: IpAsset;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  expiresAt: Date;
}

export interface AssetPage {
  nodes: IpAsset[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Only queues the scan; the scan queue itself lives in jobs/. */
export interface ScanScheduler {
  enqueueScan(assetId: string): Promise<void>;
}

const MAX_TITLE_LENGTH = 500;
const MAX_DESCRIPTION_LENGTH = 10_000;
const MAX_METADATA_BYTES = 16 * 1024;
/** How long a confirm waits for a concurrent one holding the asset (a large S3 copy takes a while). */
const CONFIRM_CLAIM_WAIT_MS = 10 * 60_000;

/** The first half of the lifecycle: initiate, direct upload, confirm; and reading assets back. */
export class UploadService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly storage: StorageAdapter,
    private readonly scans: ScanScheduler,
    private readonly lifecycle: AssetLifecycle,
    private readonly settings: UploadSettings,
    private readonly logger: Logger,
    private readonly quota: UploadQuota,
    private readonly multipart: MultipartUploadService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async initiate(actor: Actor, request: InitiateUploadRequest): Promise<InitiatedUpload> {
    const upload = checkNewUpload(request, this.settings);
    if (upload.fileSize > this.settings.singleUploadMaxBytes) {
      throw ERRORS.singleUploadTooLarge(this.settings.singleUploadMaxBytes);
    }
    const { fileName, mimeType, checksumSha256 } = upload;
    const asset = draftAsset(actor, upload);

    const presigned = await this.storage.presignPut({
      key: storageKeys.uploadOf(asset),
      contentType: mimeType,
      contentLength: upload.fileSize,
      expiresInSeconds: this.settings.urlTtlSeconds,
      checksumSha256,
    });
    // The row remembers exactly when the URL stops working, to tell "expired" from "not sent".
    asset.uploadExpiresAt = presigned.expiresAt;
    await this.quota.createWithinQuota(actor, asset, { fileName, mimeType, fileSize: asset.fileSize });
    this.logger.info(
      { assetId: asset.id, userId: actor.userId, mimeType, fileSize: asset.fileSize },
      'upload initiated',
    );
    return {
      asset,
      uploadUrl: presigned.url,
      uploadHeaders: presigned.headers,
      expiresAt: presigned.expiresAt,
    };
  }

  /**
   * Verifies the uploaded object and hands the asset to the scanner. The first successful
   * confirm wins; later ones return the asset as it is.
   *
   * The bytes are moved to the asset's own key *before* they are checked: an upload URL stays
   * valid until it expires, so checking them where a client can still overwrite them would let
   * a second PUT slip unchecked bytes in between the check and the move.
   */
  async confirm(actor: Actor, request: ConfirmUploadRequest): Promise<IpAsset> {
    const asset = await this.assets.findById(request.assetId);
    if (!asset || asset.createdBy !== actor.userId) throw ERRORS.notFound();
    if (asset.status !== AssetStatus.DRAFT) return asset;
    const details = validateConfirmDetails(request);
    // The limit may have been lowered since this upload was initiated.
    if (asset.fileSize > this.settings.maxFileSize) throw ERRORS.fileTooLarge(this.settings.maxFileSize);

    // Claimed before storage is touched: of concurrent confirms (on any replica) one moves and
    // checks the bytes and makes the transition; the others get the asset as it left it.
    const claim = await claimDraft(
      this.lifecycle,
      this.assets,
      asset.id,
      async (draft, db) => {
        if (draft.multipartUploadId) await this.multipart.assemble(draft, request.parts);
        else await this.takeUploadedBytes(draft);
        const mismatch = await this.checkStoredObject(draft);
        if (mismatch) {
          await this.storage.delete(draft.storageKey);
          await this.lifecycle.transition('rejectContentMismatch', draft.id, {
            actor,
            detail: { problem: mismatch },
            db,
          });
          return { mismatch, confirmed: undefined };
        }
        const confirmed = await this.lifecycle.transition('confirm', draft.id, {
          actor,
          changes: details,
          detail: { fileSize: draft.fileSize },
          db,
        });
        // The row is locked and a DRAFT: the transition cannot find it otherwise.
        if (!confirmed) throw new Error(`confirm of locked draft ${draft.id} changed nothing`);
        return { mismatch: undefined, confirmed };
      },
      { maxWaitMs: CONFIRM_CLAIM_WAIT_MS },
    );
    if (!claim.claimed) return claim.current ?? asset;
    const { mismatch, confirmed } = claim.result;
    if (mismatch !== undefined) return this.reportMismatch(actor, asset, mismatch);

    // PROCESSING reaches subscribers before SCANNING: the outbox delivers an asset's events in order.
    // A failure here leaves the asset PROCESSING without a job; the scan watchdog re-queues it.
    await this.scans
      .enqueueScan(confirmed.id)
      .catch((error) => this.logger.error({ err: error, assetId: confirmed.id }, 'could not queue scan'));
    this.logger.info({ assetId: confirmed.id, userId: actor.userId }, 'upload confirmed');
    return confirmed;
  }

  /**
   * Moves the upload to the asset's own key; throws when nothing was uploaded. Runs under the
   * asset's row lock, so no other confirm moves it meanwhile; bytes already at the asset's key are
   * those of an attempt that failed after its move, and are checked again.
   */
  private async takeUploadedBytes(asset: IpAsset): Promise<void> {
    try {
      await this.storage.move(storageKeys.uploadOf(asset), asset.storageKey);
      return;
    } catch (error) {
      if (!(error instanceof StorageObjectNotFound)) throw error;
    }
    if (await this.storage.head(asset.storageKey)) return;
    throw asset.uploadExpiresAt.getTime() < this.now().getTime()
      ? ERRORS.uploadExpired()
      : ERRORS.uploadNotFound();
  }

  /** A reason when the stored object is not what was declared, else null. */
  private async checkStoredObject(asset: IpAsset): Promise<string | null> {
    const stored = await this.storage.peek(asset.storageKey, CONTENT_SNIFF_BYTES);
    if (!stored) throw ERRORS.uploadNotFound();
    const { info, bytes } = stored;
    if (info.size !== asset.fileSize)
      return `declared ${asset.fileSize} bytes but ${info.size} were uploaded`;
    // Signed URLs already pin the type; this also catches a backend that does not verify signatures.
    const storedType = info.contentType ? normalizeMimeType(info.contentType) : null;
    if (storedType && storedType !== asset.mimeType)
      return `declared ${asset.mimeType} but uploaded as ${storedType}`;
    return checkLeadingBytes(asset.mimeType, bytes);
  }

  /** Tells the uploader (and the security log) why their bytes were refused; the asset is rejected. */
  private reportMismatch(actor: Actor, asset: IpAsset, reason: string): never {
    this.logger.warn(
      { security: true, event: 'content_mismatch', assetId: asset.id, userId: actor.userId, reason },
      'uploaded content does not match its declaration',
    );
    throw ERRORS.contentMismatch(reason);
  }

  /**
   * Whether a signed upload URL for `key` may still write: only while its asset is a DRAFT. Once
   * confirmed (or rejected) the bytes have been moved away and checked; a later body could only
   * be an orphan. Keys that belong to no asset's upload are not this service's to judge.
   */
  async acceptsUploadTo(key: string): Promise<boolean> {
    const assetId = storageKeys.assetIdOfUpload(key);
    if (!assetId) return true;
    return (await this.assets.findById(assetId))?.status === AssetStatus.DRAFT;
  }

  /** The asset as it is now, for a feed whose subscribers were already allowed to see it. */
  async currentState(assetId: string): Promise<IpAsset | null> {
    return this.assets.findById(assetId);
  }

  /** The asset if the actor may see it; another user's asset looks exactly like a missing one. */
  async findVisible(actor: Actor, assetId: string): Promise<IpAsset | null> {
    const asset = await this.assets.findById(assetId);
    if (!asset || !canSee(actor, asset)) return null;
    return asset;
  }

  async listMine(
    actor: Actor,
    query: { status?: AssetStatus | null; first: number; after?: string | null },
  ): Promise<AssetPage> {
    if (!Number.isInteger(query.first) || query.first < 1 || query.first > 100) {
      throw ERRORS.badInput('first', 'first must be between 1 and 100');
    }
    const after = query.after ? decodeCursor(query.after) : undefined;
    if (after === null) throw ERRORS.badInput('after', 'after is not a cursor this API returned');
    const page = await this.assets.pageByOwner({
      ownerId: actor.userId,
      status: query.status ?? undefined,
      first: query.first,
      after,
    });
    const last = page.nodes.at(-1);
    return { ...page, endCursor: last ? encodeCursor(last) : null };
  }

  /** A short-lived GET URL, only for bytes that were scanned clean. */
  async downloadUrl(asset: IpAsset): Promise<string | null> {
    if (asset.scanStatus !== ScanStatus.CLEAN || asset.status !== AssetStatus.APPROVED) return null;
    return this.storage.presignGet(asset.storageKey, {
      expiresInSeconds: this.settings.downloadUrlTtlSeconds,
      downloadName: asset.fileName,
      contentType: asset.mimeType,
    });
  }

  async thumbnailUrl(asset: IpAsset): Promise<string | null> {
    if (!asset.thumbnailKey || asset.scanStatus !== ScanStatus.CLEAN) return null;
    return this.storage.presignGet(asset.thumbnailKey, {
      expiresInSeconds: this.settings.downloadUrlTtlSeconds,
      contentType: 'image/webp',
    });
  }
}

export function canSee(actor: Actor, asset: IpAsset): boolean {
  return actor.role === 'ADMIN' || asset.createdBy === actor.userId;
}

function validateConfirmDetails(request: ConfirmUploadRequest) {
  assertStorableText('title', request.title);
  assertStorableText('description', request.description);
  const title = request.title.trim();
  if (!title) throw ERRORS.badInput('title', 'title must not be empty');
  if (title.length > MAX_TITLE_LENGTH)
    throw ERRORS.badInput('title', `title must be at most ${MAX_TITLE_LENGTH} characters`);
  const description = request.description?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION_LENGTH) {
    throw ERRORS.badInput('description', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  const metadata = request.metadata ?? null;
  if (metadata !== null) {
    // Before JSON.stringify, which recurses: depth and key count are checked iteratively.
    assertMetadataShape(metadata);
    if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
      throw ERRORS.badInput('metadata', `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`);
    }
  }
  return { title, description, metadata };
}
