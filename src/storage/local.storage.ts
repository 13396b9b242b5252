import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createWriteStream, mkdirSync, type Stats } from 'node:fs';
import { open, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BodyMismatchError, ExactLengthStream } from './byte-count';
import {
  assertPeekLength,
  assertPresignGetInput,
  assertPresignPartInput,
  assertPresignPutInput,
  assertPutOptions,
  floorToSecond,
} from './input-checks';
import { errorCode } from '../error-details';
import { isMissing, isStorageDown, mkdirBelow, StorageRootMissing } from './local/fs-errors';
import { walkInKeyOrder } from './local/key-order-walk';
import { LocalMultipart } from './local/local-multipart';
import {
  LocalUrlSigner,
  type DownloadGrant,
  type PartGrant,
  type UploadGrant,
  type Verified,
} from './local/url-signature';
import {
  InvalidStorageKey,
  MultipartUploadNotFound,
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

/** Reads of 1 MiB: a sixteenth of the thread-pool round trips of the 64 KiB default. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** URL path under which the router accepts signed uploads; the key follows. */
export const LOCAL_UPLOAD_PATH = '/storage/upload';
/** URL path under which the router accepts signed multipart part uploads; the key follows. */
export const LOCAL_PART_PATH = '/storage/part';
/** URL path under which the router serves signed downloads; the key follows. */
export const LOCAL_OBJECT_PATH = '/storage/object';

/**
 * Temporary files live here, inside the root, so the final rename stays on one filesystem and is
 * atomic. Keys starting with it are refused, and listings skip it.
 */
const STAGING_DIR = '.staging';
const DEFAULT_PAGE_SIZE = 1000;
const MIN_SECRET_LENGTH = 16;
/** A concurrent delete may remove a directory between our mkdir and our rename; try again. */
const PLACE_ATTEMPTS = 3;
/** A lock older than this was left by a process that died mid-upload (see uploadLockStaleAfterMs). */
const DEFAULT_UPLOAD_LOCK_STALE_MS = 60 * 60_000;

/**
 * Another PUT to the same upload key is still streaming, on this or any replica sharing the root;
 * this one was refused before anything was written.
 */
export class UploadInProgress extends StorageError {
  override name = 'UploadInProgress';
  constructor() {
    super('Another upload to this key is in progress', {
      operation: 'receiveUpload',
      code: 'UploadInProgress',
    });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface LocalStorageOptions {
  /**
   * Directory holding the objects; created (with its parents) when the adapter is made, at
   * start-up, and never again: if it disappears later, storage is down (see StorageError.unavailable).
   */
  rootDir: string;
  /** Signs upload and download URLs; every replica serving the same root must share it. */
  signingSecret: string;
  /**
   * Absolute base URL of this server, read at each presign: the server may listen on port 0 and
   * learn its port after the adapter exists.
   */
  publicUrl: () => string;
  /**
   * An upload's lock file older than this is taken to be left by a crashed process and replaced.
   * Keep it above the longest an upload may take (the HTTP request timeout).
   * @default 1 hour
   */
  uploadLockStaleAfterMs?: number;
  /**
   * The clock URLs are signed and checked against (tests move it instead of sleeping).
   * @default () => new Date()
   */
  now?: () => Date;
}

/** A local object opened for reading, for the download route. */
export interface OpenedObject {
  info: ObjectInfo;
  /** The whole file; destroy it if you do not read it, to release the file handle. */
  body: Readable;
}

/**
 * The zero-configuration provider: objects are files under a root directory, and "presigned"
 * URLs point at this server's own routes (see `createLocalStorageRouter`), signed with HMAC.
 * Writes go to a temporary file and are renamed into place, so readers never see half a file.
 *
 * One difference from S3: as a file cannot also be a directory, a key cannot exist together with
 * keys below it ('a' and 'a/b'); writing the second fails with a StorageError.
 */
export class LocalStorageAdapter implements StorageAdapter {
  readonly provider = 'local' as const;
  private readonly root: string;
  private readonly staging: string;
  private readonly signer: LocalUrlSigner;
  private readonly now: () => Date;
  private readonly publicUrl: () => string;
  private readonly uploadLockStaleAfterMs: number;
  private readonly multipart: LocalMultipart;

  constructor(options: LocalStorageOptions) {
    if (typeof options.signingSecret !== 'string' || options.signingSecret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`signingSecret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    this.root = path.resolve(options.rootDir);
    this.staging = path.join(this.root, STAGING_DIR);
    this.signer = new LocalUrlSigner(options.signingSecret);
    this.publicUrl = options.publicUrl;
    this.uploadLockStaleAfterMs = options.uploadLockStaleAfterMs ?? DEFAULT_UPLOAD_LOCK_STALE_MS;
    this.now = options.now ?? (() => new Date());
    try {
      mkdirSync(this.root, { recursive: true });
    } catch {
      // Unusable (e.g. a file is in the way): ping, and so /readyz, report it.
    }
    this.multipart = new LocalMultipart({
      dir: path.join(this.staging, 'multipart'),
      fileFor: (key) => this.pathFor(key, 'completeMultipartUpload'),
      lock: (name) => this.lock(name, 'receivePart'),
      ensureDir: (dir) => mkdirBelow(this.root, dir),
      place: (source, target) => this.place(source, target),
    });
  }

  async presignPut(input: PresignPutInput): Promise<PresignedUpload> {
    this.pathFor(input.key, 'presignPut');
    assertPresignPutInput(input);
    const expiresAt = new Date(floorToSecond(this.now()).getTime() + input.expiresInSeconds * 1000);
    const query = this.signer.uploadQuery({
      key: input.key,
      expires: expiresAt.getTime() / 1000,
      size: input.contentLength,
      contentType: input.contentType,
      checksumSha256: input.checksumSha256,
    });
    return {
      url: this.urlFor(LOCAL_UPLOAD_PATH, input.key, query),
      headers: { 'Content-Type': input.contentType, 'Content-Length': String(input.contentLength) },
      expiresAt,
    };
  }

  async presignGet(key: string, input: PresignGetInput): Promise<string> {
    this.pathFor(key, 'presignGet');
    assertPresignGetInput(input);
    const expires = floorToSecond(this.now()).getTime() / 1000 + input.expiresInSeconds;
    const query = this.signer.downloadQuery({
      key,
      expires,
      contentType: input.contentType,
      downloadName: input.downloadName,
    });
    return this.urlFor(LOCAL_OBJECT_PATH, key, query);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathFor(key, 'head');
    try {
      const info = await stat(file);
      return info.isFile() ? toObjectInfo(info) : null;
    } catch (error) {
      if (isMissing(error) && !(await this.rootIsGone())) return null;
      throw wrap('head', error);
    }
  }

  async peek(key: string, length: number): Promise<PeekedObject | null> {
    const file = this.pathFor(key, 'peek');
    assertPeekLength(length);
    let opened;
    try {
      opened = await this.openFile(key, file, 'peek');
    } catch (error) {
      if (error instanceof StorageObjectNotFound) return null;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(Math.min(length, opened.info.size));
      const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
      return { info: opened.info, bytes: buffer.subarray(0, bytesRead) };
    } catch (error) {
      throw wrap('peek', error);
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const opened = await this.openFile(key, this.pathFor(key, 'getStream'), 'getStream');
    return opened.handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
  }

  async put(
    key: string,
    body: Buffer | Readable,
    options: { contentType: string; contentLength?: number },
  ): Promise<void> {
    const target = this.pathFor(key, 'put');
    assertPutOptions(body, options);
    try {
      // assertPutOptions guarantees a length for streams; a buffer's is its own.
      const size = Buffer.isBuffer(body) ? body.length : options.contentLength!;
      await this.writeAtomically(target, body, { size }, 'put');
    } catch (error) {
      // Same failure as the S3 provider's for a stream that is not the declared length.
      if (error instanceof BodyMismatchError) throw wrap('put', error);
      throw error;
    }
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    const from = this.pathFor(fromKey, 'move');
    const to = this.pathFor(toKey, 'move');
    if (from === to) {
      if (!(await this.head(fromKey))) throw new StorageObjectNotFound(fromKey);
      return;
    }
    try {
      await this.place(from, to);
    } catch (error) {
      // head throws, rather than answering null, when the whole root is gone.
      if (isMissing(error) && !(await this.head(fromKey))) throw new StorageObjectNotFound(fromKey);
      throw wrap('move', error);
    }
    await this.removeEmptyParents(from);
  }

  async delete(key: string): Promise<void> {
    const file = this.pathFor(key, 'delete');
    try {
      await unlink(file);
    } catch (error) {
      // EISDIR/EPERM: the key names a directory, which is not an object either.
      const code = errorCode(error);
      if (!isMissing(error) && code !== 'EISDIR' && code !== 'EPERM') throw wrap('delete', error);
      // Not "deleted" when the root is gone: the object may well still exist where the volume went.
      if (await this.rootIsGone()) throw wrap('delete', new StorageRootMissing());
      return;
    }
    await this.removeEmptyParents(file);
  }

  async *list(
    prefix: string,
    options: { startAfter?: string; pageSize?: number } = {},
  ): AsyncIterable<ListedObject[]> {
    if (!isValidStoragePrefix(prefix) || prefix.split('/')[0] === STAGING_DIR) {
      throw new InvalidStorageKey('list');
    }
    const pageSize = Math.max(Math.trunc(options.pageSize ?? DEFAULT_PAGE_SIZE), 1);
    // An empty listing of a missing root would tell the cleanup that nothing is stored.
    if (await this.rootIsGone()) throw wrap('list', new StorageRootMissing());
    let page: ListedObject[] = [];
    try {
      for await (const object of walkInKeyOrder({
        root: this.root,
        prefix,
        startAfter: options.startAfter,
        skipTopLevel: new Set([STAGING_DIR]),
      })) {
        page.push(object);
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    } catch (error) {
      throw wrap('list', error);
    }
    if (page.length > 0) yield page;
  }

  /** Part checksums need no setup here: each part URL carries its own digest. */
  async createMultipartUpload(key: string, options: CreateMultipartOptions): Promise<string> {
    this.pathFor(key, 'createMultipartUpload');
    return this.guard('createMultipartUpload', () => this.multipart.create(key, options.contentType));
  }

  async presignUploadPart(input: PresignPartInput): Promise<PresignedUpload> {
    this.pathFor(input.key, 'presignUploadPart');
    assertPresignPartInput(input);
    const expiresAt = new Date(floorToSecond(this.now()).getTime() + input.expiresInSeconds * 1000);
    const query = this.signer.partQuery({
      key: input.key,
      uploadId: input.uploadId,
      partNumber: input.partNumber,
      expires: expiresAt.getTime() / 1000,
      size: input.contentLength,
      checksumSha256: input.checksumSha256,
    });
    return {
      url: this.urlFor(LOCAL_PART_PATH, input.key, query),
      headers: { 'Content-Length': String(input.contentLength) },
      expiresAt,
    };
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    this.pathFor(key, 'listParts');
    return this.guard('listParts', () => this.multipart.listParts(key, uploadId));
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void> {
    this.pathFor(key, 'completeMultipartUpload');
    await this.guard('completeMultipartUpload', async () => {
      await mkdirBelow(this.root, this.staging);
      await this.multipart.complete(key, uploadId, parts, this.staging);
    });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    this.pathFor(key, 'abortMultipartUpload');
    try {
      await this.guard('abortMultipartUpload', () => this.multipart.abort(key, uploadId));
    } catch (error) {
      // Nothing open is done (abort is idempotent); guard already made a missing root an outage.
      if (error instanceof MultipartUploadNotFound) return;
      throw error;
    }
  }

  async *listMultipartUploads(prefix: string): AsyncIterable<OpenMultipartUpload[]> {
    if (!isValidStoragePrefix(prefix)) throw new InvalidStorageKey('listMultipartUploads');
    try {
      // An empty listing of a missing root would tell the orphan scan that nothing is open.
      if (await this.rootIsGone()) throw new StorageRootMissing();
      yield* this.multipart.list(prefix);
    } catch (error) {
      throw wrap('listMultipartUploads', error);
    }
  }

  async ping(): Promise<void> {
    // A real write, not access(W_OK): root passes access checks even on a read-only mount.
    const probe = path.join(this.staging, `ping-${randomUUID()}`);
    try {
      await mkdirBelow(this.root, this.staging);
      await writeFile(probe, '');
      await unlink(probe);
    } catch (error) {
      throw wrap('ping', error);
    }
  }

  async close(): Promise<void> {
    // Nothing to release: every call opens and closes its own files.
  }

  // --- For the local storage router -------------------------------------------------------

  /** True when `key` is one this adapter would store (the key rules, and not a reserved name). */
  acceptsKey(key: string): boolean {
    return isValidStorageKey(key) && key.split('/')[0] !== STAGING_DIR;
  }

  /** Checks a signed upload URL's parameters for `key`. */
  verifyUploadUrl(key: string, query: URLSearchParams): Verified<UploadGrant> {
    return this.signer.verifyUpload(key, query, Math.floor(this.now().getTime() / 1000));
  }

  /** Checks a signed download URL's parameters for `key`. */
  verifyDownloadUrl(key: string, query: URLSearchParams): Verified<DownloadGrant> {
    return this.signer.verifyDownload(key, query, Math.floor(this.now().getTime() / 1000));
  }

  /**
   * Stores an upload body streamed from a client, refusing it (and keeping nothing) unless it is
   * exactly `expected.size` bytes and, when given, has SHA-256 `expected.sha256` (base64).
   * At most one body per key streams at a time: an exclusive lock file (O_EXCL, so every replica
   * sharing this root sees it) is held until the body has been stored or refused.
   * @throws BodyMismatchError when the body is not what was signed.
   * @throws UploadInProgress when another body for `key` is still streaming.
   */
  async receiveUpload(
    key: string,
    body: Readable,
    expected: { size: number; sha256?: string },
  ): Promise<void> {
    const target = this.pathFor(key, 'receiveUpload');
    const release = await this.lockUpload(key);
    try {
      await this.writeAtomically(target, body, expected, 'receiveUpload');
    } finally {
      await release();
    }
  }

  /** Checks a signed part URL's parameters for `key`. */
  verifyPartUrl(key: string, query: URLSearchParams): Verified<PartGrant> {
    return this.signer.verifyPart(key, query, Math.floor(this.now().getTime() / 1000));
  }

  /**
   * Stores one part of an open multipart upload streamed from a client, refusing it (and keeping
   * nothing) unless it is exactly `size` bytes and, when given, has SHA-256 `sha256` (base64);
   * resolves to its ETag. A retried part replaces the
   * earlier one.
   * @throws BodyMismatchError when the body is not what was signed.
   * @throws MultipartUploadNotFound when the upload is not open (aborted, completed).
   * @throws UploadInProgress when the same part is still streaming in another request.
   */
  async receivePart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number,
    sha256?: string,
  ): Promise<string> {
    this.pathFor(key, 'receivePart');
    return this.guard('receivePart', () =>
      this.multipart.receivePart(key, uploadId, partNumber, body, size, sha256),
    );
  }

  /** Opens an object for the download route, or null when there is none. */
  async openForDownload(key: string): Promise<OpenedObject | null> {
    const file = this.pathFor(key, 'openForDownload');
    try {
      const { handle, info } = await this.openFile(key, file, 'openForDownload');
      return { info, body: handle.createReadStream() };
    } catch (error) {
      if (error instanceof StorageObjectNotFound) return null;
      throw error;
    }
  }

  // --- Internals ----------------------------------------------------------------------------

  /** Takes `key`'s upload lock, replacing one left by a dead process; resolves to its release. */
  private lockUpload(key: string): Promise<() => Promise<void>> {
    return this.lock(key, 'receiveUpload');
  }

  /** An exclusive lock named `name` (a lock file, so replicas sharing the root see it too). */
  private async lock(name: string, operation: string): Promise<() => Promise<void>> {
    const key = name;
    // Beside the staging files, one per upload key in flight.
    const dir = this.staging;
    const lock = path.join(dir, `${createHash('sha256').update(key).digest('hex')}.lock`);
    const owner = JSON.stringify({ host: hostname(), pid: process.pid, at: new Date().toISOString() });
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdirBelow(this.root, dir);
        await writeFile(lock, owner, { flag: 'wx' });
        return () => unlink(lock).catch(() => undefined);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw wrap(operation, error);
        if (attempt > 1 || !(await this.isStale(lock))) throw new UploadInProgress();
        await unlink(lock).catch(() => undefined);
      }
    }
  }

  private async isStale(lock: string): Promise<boolean> {
    try {
      return Date.now() - (await stat(lock)).mtimeMs > this.uploadLockStaleAfterMs;
    } catch {
      return true; // released meanwhile: try again
    }
  }

  /** A missing file is only "not found" while the root exists; without it, storage is down. */
  private async rootIsGone(): Promise<boolean> {
    try {
      return !(await stat(this.root)).isDirectory();
    } catch {
      return true;
    }
  }

  /** Runs a multipart call; its own errors pass through, fs errors lose their paths. */
  private async guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof BodyMismatchError) throw error;
      // With the root gone every upload looks missing: that is an outage, not an answer.
      if (error instanceof MultipartUploadNotFound && (await this.rootIsGone())) {
        throw wrap(operation, new StorageRootMissing());
      }
      throw wrap(operation, error);
    }
  }

  /** The file for `key`, which must stay inside the root whatever the key says. */
  private pathFor(key: string, operation: string): string {
    if (!this.acceptsKey(key)) throw new InvalidStorageKey(operation);
    const file = path.resolve(this.root, ...key.split('/'));
    // The key rules already exclude escapes; this guards against a rule we did not think of.
    if (!file.startsWith(this.root + path.sep)) throw new InvalidStorageKey(operation);
    return file;
  }

  private urlFor(routePath: string, key: string, query: URLSearchParams): string {
    const base = this.publicUrl().replace(/\/+$/, '');
    return `${base}${routePath}/${encodeKeyForUrlPath(key)}?${query.toString()}`;
  }

  private async openFile(key: string, file: string, operation: string) {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      const missing = isMissing(error) || errorCode(error) === 'EISDIR';
      if (missing && !(await this.rootIsGone())) throw new StorageObjectNotFound(key);
      throw wrap(operation, missing ? new StorageRootMissing() : error);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageObjectNotFound(key);
      return { handle, info: toObjectInfo(info) };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error instanceof StorageObjectNotFound ? error : wrap(operation, error);
    }
  }

  private async writeAtomically(
    target: string,
    body: Buffer | Readable,
    expected: { size: number; sha256?: string },
    operation: string,
  ): Promise<void> {
    const temp = path.join(this.staging, `${randomUUID()}.part`);
    try {
      await mkdirBelow(this.root, this.staging);
      if (Buffer.isBuffer(body)) {
        await writeFile(temp, body, { flag: 'wx' });
      } else {
        const checked = new ExactLengthStream(expected.size, { sha256: expected.sha256 !== undefined });
        await pipeline(body, checked, createWriteStream(temp, { flags: 'wx' }));
        if (expected.sha256 !== undefined && checked.digestBase64() !== expected.sha256) {
          throw new BodyMismatchError('checksum');
        }
      }
      await this.place(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (error instanceof BodyMismatchError) throw error;
      throw wrap(operation, error);
    }
  }

  /** rename(2) into place, creating the target's directories. */
  private async place(source: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await mkdirBelow(this.root, path.dirname(target));
      try {
        await rename(source, target);
        return;
      } catch (error) {
        if (!isMissing(error) || attempt >= PLACE_ATTEMPTS) throw error;
      }
    }
  }

  /** Keeps the tree from filling with empty per-upload directories; stops at the first non-empty one. */
  private async removeEmptyParents(file: string): Promise<void> {
    for (let dir = path.dirname(file); dir.startsWith(this.root + path.sep); dir = path.dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // ENOTEMPTY, or someone else removed it: either way we are done
      }
    }
  }
}

function toObjectInfo(info: Stats): ObjectInfo {
  return {
    size: info.size,
    lastModified: info.mtime,
    etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
  };
}

/** fs messages contain absolute paths; keep only the errno code. */
function wrap(operation: string, error: unknown): Error {
  if (error instanceof StorageError || error instanceof StorageObjectNotFound) return error;
  const code = errorCode(error);
  return new StorageError(`Storage ${operation} failed`, {
    operation,
    cause: error,
    code: code && /^[A-Za-z0-9_]{1,32}$/.test(code) ? code : undefined,
    unavailable: isStorageDown(error),
  });
}
