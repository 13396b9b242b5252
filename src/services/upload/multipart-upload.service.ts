import { AssetStatus, type IpAsset } from '../../entities/ip-asset.entity';
import { ERRORS } from '../../errors';
import type { Logger } from '../../logger';
import type { AssetRepository } from '../../repositories/asset.repository';
import {
  MultipartIncomplete,
  MultipartUploadNotFound,
  type CompletedPart,
  type PresignedUpload,
  type StorageAdapter,
  type StoredPart,
} from '../../storage/storage.adapter';
import type { Actor } from '../actor';
import { checkNewUpload, draftAsset, type NewUploadRequest } from './new-draft';
import { assertPartChecksums, withStoredChecksums } from './part-checksums';
import { assertPartNumbers, partLayout, partLength, partsNotReady, type PartLayout } from './part-layout';
import type { UploadQuota } from './upload-quota';

export interface MultipartSettings {
  maxFileSize: number;
  allowedMimeTypes: readonly string[];
  /** Longest a part URL lives. */
  urlTtlSeconds: number;
  /** How long part URLs can be asked for: until the cleanup counts the upload as abandoned. */
  multipartTtlSeconds: number;
}

export interface InitiateMultipartRequest extends NewUploadRequest {
  partSize?: number | null;
  /** Every part URL will be asked for with its part's SHA-256. */
  partChecksums?: boolean | null;
}

export interface InitiatedMultipart {
  asset: IpAsset;
  partSize: number;
  partCount: number;
  expiresAt: Date;
}

export interface PartUrl extends PresignedUpload {
  partNumber: number;
}

/**
 * Resumable multipart uploads: the bytes go straight to storage in parts (S3 multipart, or the
 * local provider's equivalent), each part URL pinned to its part's exact length. The asset is
 * an ordinary DRAFT whose multipart upload targets its own storage key, so completion needs no
 * copy (S3 copies stop at 5 GiB) and no part URL works once it is complete; confirm then goes on
 * exactly as for a single PUT.
 */
export class MultipartUploadService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly storage: StorageAdapter,
    private readonly quota: UploadQuota,
    private readonly settings: MultipartSettings,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async initiate(actor: Actor, request: InitiateMultipartRequest): Promise<InitiatedMultipart> {
    const upload = checkNewUpload({ ...request, checksumSha256: null }, this.settings);
    const layout = partLayout(upload.fileSize, request.partSize);
    const asset = draftAsset(actor, upload);
    // The upload targets the asset's own key: completing it is the "move" (see the class doc).
    asset.uploadKey = asset.storageKey;
    asset.partSize = layout.partSize;
    asset.partCount = layout.partCount;
    asset.partChecksums = request.partChecksums === true;
    asset.uploadExpiresAt = new Date(
      Math.floor(this.now().getTime() / 1000) * 1000 + this.settings.multipartTtlSeconds * 1000,
    );
    await this.quota.assertRoom(actor, asset.fileSize);
    asset.multipartUploadId = await this.storage.createMultipartUpload(asset.storageKey, {
      contentType: upload.mimeType,
      partChecksums: asset.partChecksums,
    });
    try {
      await this.quota.createWithinQuota(actor, asset, {
        fileName: upload.fileName,
        mimeType: upload.mimeType,
        fileSize: upload.fileSize,
        multipart: { partSize: layout.partSize, partCount: layout.partCount },
      });
    } catch (error) {
      // No row owns the storage upload: release it now rather than leave it to the orphan scan.
      await this.storage
        .abortMultipartUpload(asset.storageKey, asset.multipartUploadId)
        .catch((abortError: unknown) =>
          this.logger.warn(
            { err: abortError, assetId: asset.id },
            'could not abort an unowned multipart upload',
          ),
        );
      throw error;
    }
    this.logger.info(
      { assetId: asset.id, userId: actor.userId, fileSize: asset.fileSize, partCount: layout.partCount },
      'multipart upload initiated',
    );
    return {
      asset,
      partSize: layout.partSize,
      partCount: layout.partCount,
      expiresAt: asset.uploadExpiresAt,
    };
  }

  /**
   * Presigned PUT URLs for these parts, each accepting exactly its part's length and, for an
   * upload initiated with part checksums, its SHA-256 (`checksums[i]` for `partNumbers[i]`).
   */
  async partUrls(
    actor: Actor,
    assetId: string,
    partNumbers: readonly number[],
    checksums?: readonly string[] | null,
  ): Promise<PartUrl[]> {
    const asset = await this.openUpload(actor, assetId);
    const layout = layoutOf(asset);
    assertPartNumbers(partNumbers, layout.partCount);
    assertPartChecksums(checksums, partNumbers.length, asset.partChecksums);
    const remainingSeconds = Math.floor((asset.uploadExpiresAt.getTime() - this.now().getTime()) / 1000);
    if (remainingSeconds < 1) throw ERRORS.uploadExpired();
    const expiresInSeconds = Math.min(this.settings.urlTtlSeconds, remainingSeconds);
    return Promise.all(
      partNumbers.map(async (partNumber, i) => ({
        partNumber,
        ...(await this.storage.presignUploadPart({
          key: asset.storageKey,
          uploadId: asset.multipartUploadId!,
          partNumber,
          contentLength: partLength(layout, partNumber),
          expiresInSeconds,
          checksumSha256: checksums?.[i],
        })),
      })),
    );
  }

  /** The parts storage holds for an unconfirmed multipart upload; empty once it is not open. */
  async uploadedParts(actor: Actor, assetId: string): Promise<StoredPart[]> {
    const asset = await this.ownMultipart(actor, assetId);
    if (asset.status !== AssetStatus.DRAFT || !asset.multipartUploadId) return [];
    try {
      return await this.storage.listParts(asset.storageKey, asset.multipartUploadId);
    } catch (error) {
      if (error instanceof MultipartUploadNotFound) return [];
      throw error;
    }
  }

  /**
   * Completes `draft`'s multipart upload into its storage key, from the client's `parts` or,
   * without them, from what storage lists. Runs under confirm's row lock. Throws
   * UPLOAD_INCOMPLETE (nothing changed, the asset stays DRAFT) when a part is missing or of the
   * wrong size. An object already at the key is that of an earlier attempt that completed and
   * then failed; it is checked like any other.
   */
  async assemble(draft: IpAsset, parts: readonly CompletedPart[] | null | undefined): Promise<void> {
    const uploadId = draft.multipartUploadId!;
    const layout = layoutOf(draft);
    try {
      let toComplete = parts ? this.checkGivenParts(layout, parts) : await this.listedParts(draft, layout);
      // S3 wants each part's checksum at completion; it verified and lists them.
      if (parts && draft.partChecksums) {
        toComplete = withStoredChecksums(
          toComplete,
          await this.storage.listParts(draft.storageKey, uploadId),
        );
      }
      await this.storage.completeMultipartUpload(draft.storageKey, uploadId, toComplete);
    } catch (error) {
      if (error instanceof MultipartIncomplete) throw ERRORS.uploadIncomplete(error.problem, []);
      if (error instanceof MultipartUploadNotFound) {
        // Already completed: by an earlier attempt that then failed, or by a concurrent one.
        if (await this.storage.head(draft.storageKey)) return;
        throw ERRORS.uploadNotFound();
      }
      throw error;
    }
  }

  /**
   * Whether a part URL for `uploadId` may still write to `key`: only while that upload's asset
   * is a DRAFT (the local provider's part route asks).
   */
  async acceptsPart(key: string, uploadId: string): Promise<boolean> {
    const asset = await this.assets.findByMultipartUpload(uploadId);
    return asset?.status === AssetStatus.DRAFT && asset.storageKey === key;
  }

  private checkGivenParts(layout: PartLayout, parts: readonly CompletedPart[]): CompletedPart[] {
    for (const part of parts) {
      if (!Number.isInteger(part.partNumber) || part.partNumber < 1 || part.partNumber > layout.partCount) {
        throw ERRORS.badInput('parts', `part numbers run from 1 to ${layout.partCount} for this upload`);
      }
      if (typeof part.etag !== 'string' || part.etag.length === 0 || part.etag.length > 1024) {
        throw ERRORS.badInput('parts', 'every part needs the ETag its PUT answered');
      }
    }
    const byNumber = new Map(parts.map((part) => [part.partNumber, part]));
    if (byNumber.size !== parts.length) throw ERRORS.badInput('parts', 'parts must not name a part twice');
    const missing: number[] = [];
    for (let n = 1; n <= layout.partCount; n++) if (!byNumber.has(n)) missing.push(n);
    if (missing.length > 0) throw ERRORS.uploadIncomplete(describeMissing(missing, []), missing);
    return [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  private async listedParts(draft: IpAsset, layout: PartLayout): Promise<CompletedPart[]> {
    const held = await this.storage.listParts(draft.storageKey, draft.multipartUploadId!);
    const byNumber = new Map(held.map((part) => [part.partNumber, part]));
    const { missing, wrongSize } = partsNotReady(layout, byNumber);
    if (missing.length > 0 || wrongSize.length > 0) {
      throw ERRORS.uploadIncomplete(
        describeMissing(missing, wrongSize),
        [...missing, ...wrongSize].sort((a, b) => a - b),
      );
    }
    return held.filter((part) => part.partNumber <= layout.partCount);
  }

  /** The caller's own open multipart upload, or the error that says why there is none. */
  private async openUpload(actor: Actor, assetId: string): Promise<IpAsset> {
    const asset = await this.ownMultipart(actor, assetId);
    if (asset.status !== AssetStatus.DRAFT || !asset.multipartUploadId) {
      throw ERRORS.badInput('assetId', 'this upload is no longer open (confirmed or cancelled)');
    }
    return asset;
  }

  private async ownMultipart(actor: Actor, assetId: string): Promise<IpAsset> {
    const asset = await this.assets.findById(assetId);
    if (!asset || asset.createdBy !== actor.userId) throw ERRORS.notFound();
    if (!asset.partSize || !asset.partCount) {
      throw ERRORS.badInput('assetId', 'this asset was not initiated as a multipart upload');
    }
    return asset;
  }
}

function layoutOf(asset: IpAsset): PartLayout {
  return { fileSize: asset.fileSize, partSize: asset.partSize!, partCount: asset.partCount! };
}

function describeMissing(missing: number[], wrongSize: number[]): string {
  const list = (numbers: number[]) =>
    numbers.length > 10
      ? `${numbers.slice(0, 10).join(', ')} and ${numbers.length - 10} more`
      : numbers.join(', ');
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`part${missing.length > 1 ? 's' : ''} ${list(missing)} missing`);
  if (wrongSize.length > 0)
    problems.push(`part${wrongSize.length > 1 ? 's' : ''} ${list(wrongSize)} of the wrong size`);
  return problems.join('; ');
}
