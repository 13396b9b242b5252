import { pipeline, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ExactLengthStream } from './byte-count';
import { attachmentDisposition } from './content-disposition';
import {
  assertPeekLength,
  assertPresignGetInput,
  assertPresignPartInput,
  assertPresignPutInput,
  assertPutOptions,
  floorToSecond,
} from './input-checks';
import { S3Multipart } from './s3/s3-multipart';
import { S3ObjectUrlPresigner } from './s3/object-url-presigner';
import { createS3Client, type S3Settings } from './s3/s3-client';
import { describeProviderError, isMissingObject, isNotFound, providerStorageError } from './s3/s3-errors';
import {
  InvalidStorageKey,
  StorageError,
  StorageObjectNotFound,
  type CompletedPart,
  type CreateMultipartOptions,
  type ListedObject,
  type OpenMultipartUpload,
  type PresignPartInput,
  type StoredPart,
  type ObjectInfo,
  type PeekedObject,
  type PresignedUpload,
  type PresignGetInput,
  type PresignPutInput,
  type StorageAdapter,
} from './storage.adapter';
import { encodeKeyForUrlPath, isValidStorageKey, isValidStoragePrefix } from './storage-key';

export type { S3Settings } from './s3/s3-client';

/** Readiness must answer quickly even when the endpoint black-holes packets. */
const PING_TIMEOUT_MS = 5_000;
/** ListObjectsV2 never returns more than this per request. */
const MAX_PAGE_SIZE = 1000;

/**
 * Storage on any S3 API: AWS S3, Cloudflare R2, MinIO. Clients upload straight to the bucket
 * with presigned PUT URLs that accept only the declared type, length and (when given) SHA-256.
 * Objects stay private: downloads are presigned too, even when `R2_PUBLIC_URL` is set, because
 * nothing may be served before it is scanned.
 */
export class S3StorageAdapter implements StorageAdapter {
  readonly provider = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly presigner: S3ObjectUrlPresigner;
  private readonly multipart: S3Multipart;

  constructor(settings: S3Settings) {
    this.client = createS3Client(settings);
    this.bucket = settings.bucket;
    this.presigner = new S3ObjectUrlPresigner(this.client, this.bucket);
    this.multipart = new S3Multipart(this.client, this.bucket);
  }

  async presignPut(input: PresignPutInput): Promise<PresignedUpload> {
    this.checkKey(input.key, 'presignPut');
    assertPresignPutInput(input);
    const headers: Record<string, string> = {
      'content-type': input.contentType,
      'content-length': String(input.contentLength),
    };
    // Sent as a header, S3 checks the body against it and refuses the PUT on a mismatch.
    if (input.checksumSha256) headers['x-amz-checksum-sha256'] = input.checksumSha256;
    const signingDate = floorToSecond(new Date());
    const url = await this.run('presignPut', () =>
      this.presigner.presign({
        method: 'PUT',
        key: input.key,
        headers,
        expiresInSeconds: input.expiresInSeconds,
        signingDate,
      }),
    );
    return {
      url,
      headers: {
        'Content-Type': input.contentType,
        'Content-Length': String(input.contentLength),
        ...(input.checksumSha256 ? { 'x-amz-checksum-sha256': input.checksumSha256 } : {}),
      },
      expiresAt: new Date(signingDate.getTime() + input.expiresInSeconds * 1000),
    };
  }

  async presignGet(key: string, input: PresignGetInput): Promise<string> {
    this.checkKey(key, 'presignGet');
    assertPresignGetInput(input);
    const query: Record<string, string> = {
      'response-content-disposition': attachmentDisposition(input.downloadName),
    };
    if (input.contentType) query['response-content-type'] = input.contentType;
    return this.run('presignGet', () =>
      this.presigner.presign({
        method: 'GET',
        key,
        query,
        expiresInSeconds: input.expiresInSeconds,
        signingDate: floorToSecond(new Date()),
      }),
    );
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.checkKey(key, 'head');
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        contentType: out.ContentType,
        etag: out.ETag,
        lastModified: out.LastModified,
      };
    } catch (error) {
      // A HEAD response has no body, so a missing bucket also looks like this; ping tells them apart.
      if (isNotFound(error)) return null;
      throw this.wrap('head', error);
    }
  }

  /** One ranged GET: its Content-Range carries the full size, so no HEAD is needed. */
  async peek(key: string, length: number): Promise<PeekedObject | null> {
    this.checkKey(key, 'peek');
    assertPeekLength(length);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}` }),
      );
      if (!(out.Body instanceof Readable)) throw new Error('S3 response body is not a Node.js stream');
      // A server that ignores Range sends the whole object: take what was asked and hang up.
      const bytes = await readAtMost(out.Body, length);
      const size = totalFromContentRange(out.ContentRange) ?? out.ContentLength ?? bytes.length;
      return {
        info: { size, contentType: out.ContentType, etag: out.ETag, lastModified: out.LastModified },
        bytes,
      };
    } catch (error) {
      if (isMissingObject(error)) return null;
      // An empty object has no byte 0 to serve: S3 answers 416, some servers hang up instead.
      const info = await this.head(key).catch(() => null);
      if (info?.size === 0) return { info, bytes: Buffer.alloc(0) };
      throw this.wrap('peek', error);
    }
  }

  async getStream(key: string): Promise<Readable> {
    this.checkKey(key, 'getStream');
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) {
        throw new Error('S3 response body is not a Node.js stream');
      }
      return out.Body;
    } catch (error) {
      if (isMissingObject(error)) throw new StorageObjectNotFound(key);
      throw this.wrap('getStream', error);
    }
  }

  async put(
    key: string,
    body: Buffer | Readable,
    options: { contentType: string; contentLength?: number },
  ): Promise<void> {
    this.checkKey(key, 'put');
    assertPutOptions(body, options);
    // Without a length the SDK would fall back to chunked encoding, which S3 refuses for PutObject.
    const length = Buffer.isBuffer(body) ? body.length : options.contentLength!;
    const command = (payload: Buffer | Readable) =>
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: payload,
        ContentType: options.contentType,
        ContentLength: length,
      });
    if (Buffer.isBuffer(body)) {
      await this.run('put', () => this.client.send(command(body)));
      return;
    }
    // The SDK pipes a stream body into the request without watching it: a stream that fails or
    // ends early would leave the request waiting for bytes that never come. Check the length on
    // the way and abort the request on any stream error.
    const checked = new ExactLengthStream(length);
    const abort = new AbortController();
    let streamError: unknown;
    pipeline(body, checked, (error) => {
      if (!error) return;
      streamError = error;
      abort.abort(error);
    });
    try {
      await this.client.send(command(checked), { abortSignal: abort.signal });
    } catch (error) {
      const cause = streamError ?? error;
      checked.destroy(); // releases the caller's stream when S3 refused before reading it all
      throw this.wrap('put', cause);
    }
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    this.checkKey(fromKey, 'move');
    this.checkKey(toKey, 'move');
    if (fromKey === toKey) {
      // S3 refuses a copy onto itself; keep the "missing source fails" promise.
      if (!(await this.head(fromKey))) throw new StorageObjectNotFound(fromKey);
      return;
    }
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          // CopySource is a URL path: the key's special characters must be percent-encoded.
          CopySource: `${this.bucket}/${encodeKeyForUrlPath(fromKey)}`,
        }),
      );
    } catch (error) {
      if (isMissingObject(error)) throw new StorageObjectNotFound(fromKey);
      throw this.wrap('move', error);
    }
    await this.delete(fromKey);
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key, 'delete');
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      // S3 answers 204 for a missing key; some compatible servers answer 404.
      if (isMissingObject(error)) return;
      throw this.wrap('delete', error);
    }
  }

  async *list(
    prefix: string,
    options: { startAfter?: string; pageSize?: number } = {},
  ): AsyncIterable<ListedObject[]> {
    if (!isValidStoragePrefix(prefix)) throw new InvalidStorageKey('list');
    const pageSize = Math.min(Math.max(Math.trunc(options.pageSize ?? MAX_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    let continuationToken: string | undefined;
    do {
      const out = await this.run('list', () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            MaxKeys: pageSize,
            // S3 ignores StartAfter once a continuation token is given; send only one.
            StartAfter: continuationToken ? undefined : options.startAfter,
            ContinuationToken: continuationToken,
          }),
        ),
      );
      const page = (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined ? [] : [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified }],
      );
      if (page.length > 0) yield page;
      continuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async createMultipartUpload(key: string, options: CreateMultipartOptions): Promise<string> {
    this.checkKey(key, 'createMultipartUpload');
    return this.multipart.create(key, options);
  }

  /**
   * UploadPart presigned with content-length (and, when given, x-amz-checksum-sha256) signed:
   * S3 refuses a part of any other length, and checks the body against the checksum.
   */
  async presignUploadPart(input: PresignPartInput): Promise<PresignedUpload> {
    this.checkKey(input.key, 'presignUploadPart');
    assertPresignPartInput(input);
    const headers: Record<string, string> = { 'content-length': String(input.contentLength) };
    if (input.checksumSha256) headers['x-amz-checksum-sha256'] = input.checksumSha256;
    const signingDate = floorToSecond(new Date());
    const url = await this.run('presignUploadPart', () =>
      this.presigner.presign({
        method: 'PUT',
        key: input.key,
        headers,
        query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
        expiresInSeconds: input.expiresInSeconds,
        signingDate,
      }),
    );
    return {
      url,
      headers: {
        'Content-Length': String(input.contentLength),
        ...(input.checksumSha256 ? { 'x-amz-checksum-sha256': input.checksumSha256 } : {}),
      },
      expiresAt: new Date(signingDate.getTime() + input.expiresInSeconds * 1000),
    };
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    this.checkKey(key, 'listParts');
    return this.multipart.listParts(key, uploadId);
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void> {
    this.checkKey(key, 'completeMultipartUpload');
    await this.multipart.complete(key, uploadId, parts);
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    this.checkKey(key, 'abortMultipartUpload');
    await this.multipart.abort(key, uploadId);
  }

  listMultipartUploads(prefix: string): AsyncIterable<OpenMultipartUpload[]> {
    if (!isValidStoragePrefix(prefix)) throw new InvalidStorageKey('listMultipartUploads');
    return this.multipart.list(prefix);
  }

  async ping(): Promise<void> {
    await this.run('ping', () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS),
      }),
    );
  }

  /**
   * Creates the bucket when it does not exist. For development and tests; production buckets
   * are provisioned with their policies, not by the application.
   */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw this.wrap('ensureBucket', error);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // Another process may have created it between the two calls.
      if (describeProviderError(error).code !== 'BucketAlreadyOwnedByYou') {
        throw this.wrap('ensureBucket', error);
      }
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private checkKey(key: string, operation: string): void {
    if (!isValidStorageKey(key)) throw new InvalidStorageKey(operation);
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  /** SDK messages can name the bucket or endpoint; only a generic message leaves the adapter. */
  private wrap(operation: string, error: unknown): Error {
    if (error instanceof StorageError || error instanceof StorageObjectNotFound) return error;
    return providerStorageError(operation, error);
  }
}

/** The total size in a `Content-Range: bytes 0-4099/10485760` header, when it names one. */
function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange && /\/(\d+)$/.exec(contentRange);
  return total ? Number(total[1]) : undefined;
}

async function readAtMost(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early destroys the stream, which closes the connection.
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
    if (total >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
