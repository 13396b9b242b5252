import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  MultipartIncomplete,
  MultipartUploadNotFound,
  StorageError,
  type CompletedPart,
  type CreateMultipartOptions,
  type OpenMultipartUpload,
  type StoredPart,
} from '../storage.adapter';
import { describeProviderError, providerStorageError } from './s3-errors';

/** S3's answers to a completion whose parts are not what it holds. */
const INCOMPLETE_CODES = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/**
 * The multipart half of the S3 provider: CreateMultipartUpload, ListParts (paged),
 * CompleteMultipartUpload, AbortMultipartUpload and ListMultipartUploads (paged), with S3's
 * errors turned into the adapter's. Part URLs are presigned by the provider itself.
 */
export class S3Multipart {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async create(key: string, options: CreateMultipartOptions): Promise<string> {
    const out = await this.run('createMultipartUpload', () =>
      this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ContentType: options.contentType,
          // Only on request: S3 then refuses every part and completion that lacks its checksum.
          ...(options.partChecksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
        }),
      ),
    );
    if (!out.UploadId)
      throw new StorageError('Storage createMultipartUpload failed', { operation: 'createMultipartUpload' });
    return out.UploadId;
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    do {
      const out = await this.run('listParts', () =>
        this.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        ),
      );
      for (const part of out.Parts ?? []) {
        if (part.PartNumber === undefined || !part.ETag) continue;
        parts.push({
          partNumber: part.PartNumber,
          size: part.Size ?? 0,
          etag: part.ETag,
          ...(part.ChecksumSHA256 ? { checksumSha256: part.ChecksumSHA256 } : {}),
        });
      }
      marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async complete(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    await this.run('completeMultipartUpload', () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((part) => ({
                PartNumber: part.partNumber,
                ETag: part.etag,
                ...(part.checksumSha256 ? { ChecksumSHA256: part.checksumSha256 } : {}),
              })),
          },
        }),
      ),
    );
  }

  async abort(key: string, uploadId: string): Promise<void> {
    try {
      await this.run('abortMultipartUpload', () =>
        this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
        ),
      );
    } catch (error) {
      if (error instanceof MultipartUploadNotFound) return; // aborted or completed already
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<OpenMultipartUpload[]> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const out = await this.run('listMultipartUploads', () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      );
      const page = (out.Uploads ?? []).flatMap((upload) =>
        upload.Key && upload.UploadId
          ? [{ key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated }]
          : [],
      );
      if (page.length > 0) yield page;
      if (!out.IsTruncated) return;
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }
}

/** S3's error, as the adapter's (messages never name the bucket). */
export function toStorageError(operation: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const { code } = describeProviderError(error);
  if (code === 'NoSuchUpload') return new MultipartUploadNotFound(operation, error);
  if (code && INCOMPLETE_CODES.has(code)) {
    return new MultipartIncomplete(
      code === 'EntityTooSmall'
        ? 'a part other than the last is smaller than 5 MiB'
        : 'a part is missing or has another ETag',
      { cause: error, code },
    );
  }
  return providerStorageError(operation, error);
}
