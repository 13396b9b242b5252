import type { Readable } from 'node:stream';

/** What a client needs to send the bytes straight to storage. */
export interface PresignedUpload {
  /** Absolute URL the client PUTs the file to. */
  url: string;
  /** Headers the client must send with that PUT (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignPutInput {
  key: string;
  contentType: string;
  /** Exact byte length; the URL refuses any other. */
  contentLength: number;
  expiresInSeconds: number;
  /** Base64 SHA-256 of the body, when the client declared one; then the URL only accepts that body. */
  checksumSha256?: string;
}

export interface PresignGetInput {
  expiresInSeconds: number;
  /** Served as Content-Disposition's file name. */
  downloadName?: string;
  contentType?: string;
}

export interface ObjectInfo {
  size: number;
  contentType?: string;
  etag?: string;
  lastModified?: Date;
}

export interface PeekedObject {
  info: ObjectInfo;
  /** The leading bytes asked for, or the whole object when it is shorter. */
  bytes: Buffer;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified?: Date;
}

/** One part of an open multipart upload, as storage holds it. */
export interface StoredPart {
  /** 1-based. */
  partNumber: number;
  size: number;
  /** As the part's PUT answered it (quoted, like S3's). */
  etag: string;
  /** Base64 SHA-256 of the part, when the upload was created with part checksums (S3 lists it). */
  checksumSha256?: string;
}

/** A part named for completion: its number and the ETag its PUT answered. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** Base64 SHA-256 of the part: S3 wants it for every part of an upload created with part checksums. */
  checksumSha256?: string;
}

export interface PresignPartInput {
  key: string;
  uploadId: string;
  /** 1-based, at most {@link MAX_PARTS}. */
  partNumber: number;
  /** Exact byte length of this part; the URL refuses any other. */
  contentLength: number;
  expiresInSeconds: number;
  /** Base64 SHA-256 of this part; then the URL only accepts exactly these bytes. */
  checksumSha256?: string;
}

export interface CreateMultipartOptions {
  contentType: string;
  /**
   * Every part will carry its SHA-256 (S3: the upload is created with ChecksumAlgorithm SHA256,
   * after which S3 refuses parts and completions without one).
   */
  partChecksums?: boolean;
}

/** A multipart upload storage holds open (what `listMultipartUploads` reports). */
export interface OpenMultipartUpload {
  key: string;
  uploadId: string;
  initiated?: Date;
}

/** S3's multipart rules, which the local provider keeps too so both behave alike. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/**
 * One storage backend. Keys are relative, '/'-separated, and never contain '..' or a leading '/'.
 * Methods that read an object resolve to null (or throw StorageObjectNotFound for streams)
 * when it does not exist; none of them leak the bucket name or credentials in their errors.
 */
export interface StorageAdapter {
  readonly provider: 'local' | 's3';
  presignPut(input: PresignPutInput): Promise<PresignedUpload>;
  presignGet(key: string, input: PresignGetInput): Promise<string>;
  head(key: string): Promise<ObjectInfo | null>;
  /**
   * The object's info with its first `length` bytes (fewer when it is shorter), in one request:
   * what confirm checks. Null when the object does not exist.
   */
  peek(key: string, length: number): Promise<PeekedObject | null>;
  /** Streams the whole object. */
  getStream(key: string): Promise<Readable>;
  put(
    key: string,
    body: Buffer | Readable,
    options: { contentType: string; contentLength?: number },
  ): Promise<void>;
  /** Moves an object to another key (copy then delete where the backend has no rename). */
  move(fromKey: string, toKey: string): Promise<void>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Lists objects under a prefix in key order, page by page, starting after `startAfter`. */
  list(prefix: string, options?: { startAfter?: string; pageSize?: number }): AsyncIterable<ListedObject[]>;
  /** Opens a multipart upload to `key`; resolves to its upload id. */
  createMultipartUpload(key: string, options: CreateMultipartOptions): Promise<string>;
  /** A URL that accepts one PUT of exactly this part's length (and SHA-256, when given). */
  presignUploadPart(input: PresignPartInput): Promise<PresignedUpload>;
  /**
   * The parts storage holds for the upload, by part number.
   * @throws MultipartUploadNotFound when the upload is not open (completed, aborted, unknown).
   */
  listParts(key: string, uploadId: string): Promise<StoredPart[]>;
  /**
   * Joins the parts, in part-number order, into the object at `key` and closes the upload.
   * @throws MultipartIncomplete when a part is missing, has another ETag, or is too small.
   * @throws MultipartUploadNotFound when the upload is not open.
   */
  completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void>;
  /** Discards the upload and its parts; aborting one that is not open is not an error. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** The multipart uploads open under a prefix, page by page. */
  listMultipartUploads(prefix: string): AsyncIterable<OpenMultipartUpload[]>;
  /** Throws when the backend cannot be reached (readiness check). */
  ping(): Promise<void>;
  /** Releases connections (S3 keeps sockets alive); call once at shutdown. Optional for fakes. */
  close?(): Promise<void>;
}

export class StorageObjectNotFound extends Error {
  override name = 'StorageObjectNotFound';
  constructor(readonly key: string) {
    super(`Object not found: ${key}`);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * A storage failure, with a message safe to log anywhere and to show nobody: it never names the
 * bucket, the endpoint, a credential or a filesystem path. The provider's own error, which may,
 * is kept as `cause` for the log.
 */
export class StorageError extends Error {
  override name = 'StorageError';
  /** Adapter operation that failed, e.g. `head` or `put`. */
  readonly operation: string;
  /** Provider error code when it is a short identifier, e.g. `AccessDenied`, `ENOSPC`. */
  readonly code?: string;
  /** HTTP status the provider answered, when there was one. */
  readonly status?: number;
  /**
   * The backend could not be reached or could not serve (network error, 5xx, storage root gone):
   * an outage, not an answer about the object. Clients get SERVICE_UNAVAILABLE and retry.
   */
  readonly unavailable: boolean;

  constructor(
    message: string,
    options: { operation: string; cause?: unknown; code?: string; status?: number; unavailable?: boolean },
  ) {
    super(message, { cause: options.cause });
    this.operation = options.operation;
    this.code = options.code;
    this.status = options.status;
    this.unavailable = options.unavailable ?? false;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The multipart upload is not open: completed, aborted, or never created. */
export class MultipartUploadNotFound extends StorageError {
  override name = 'MultipartUploadNotFound';
  constructor(operation: string, cause?: unknown) {
    super('Multipart upload not found', { operation, code: 'NoSuchUpload', cause });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Completion refused: a part is missing, has another ETag than named, or is too small. */
export class MultipartIncomplete extends StorageError {
  override name = 'MultipartIncomplete';
  constructor(
    readonly problem: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(`Multipart upload incomplete: ${problem}`, {
      operation: 'completeMultipartUpload',
      code: options.code ?? 'InvalidPart',
      cause: options.cause,
    });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Thrown before any I/O when a key breaks the key rules above (or is reserved by a provider). */
export class InvalidStorageKey extends StorageError {
  override name = 'InvalidStorageKey';
  constructor(operation: string) {
    super('Invalid storage key', { operation, code: 'InvalidKey' });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
