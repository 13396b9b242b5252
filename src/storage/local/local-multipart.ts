import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { BodyMismatchError, ExactLengthStream } from '../byte-count';
import {
  MIN_PART_SIZE,
  MultipartIncomplete,
  MultipartUploadNotFound,
  type CompletedPart,
  type OpenMultipartUpload,
  type StoredPart,
} from '../storage.adapter';
import { isMissing } from './fs-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `00001-<md5 hex>.part`: the number sorts, the digest is the part's ETag (as S3's is). */
const PART_FILE = /^(\d{5})-([0-9a-f]{32})\.part$/;
const META_FILE = 'upload.json';
const READ_CHUNK_BYTES = 1024 * 1024;
const LIST_PAGE_SIZE = 1000;

interface UploadMeta {
  key: string;
  contentType: string;
  initiated: string;
}

/** What the multipart store needs from the adapter around it. */
export interface LocalMultipartDeps {
  /** Directory for open uploads (inside the adapter's staging directory). */
  dir: string;
  /** Where a key's object lives. */
  fileFor(key: string): string;
  /** Takes an exclusive lock (across replicas sharing the root); resolves to its release. */
  lock(name: string): Promise<() => Promise<void>>;
  /** `mkdir -p` below the storage root (which itself is never created). */
  ensureDir(dir: string): Promise<void>;
  /** Renames a finished file into place at `target`. */
  place(source: string, target: string): Promise<void>;
}

/**
 * Multipart uploads for the local provider, with S3's semantics: each open upload is a
 * directory of part files; a part PUT streams to a temporary file (its exact size enforced, its
 * MD5 computed on the way) and is renamed into place, replacing an earlier try of that part;
 * completion streams the named parts one after another into a file renamed onto the key, so no
 * part is ever held in memory.
 */
export class LocalMultipart {
  constructor(private readonly deps: LocalMultipartDeps) {}

  async create(key: string, contentType: string): Promise<string> {
    const uploadId = randomUUID();
    const dir = this.uploadDir(uploadId)!;
    await this.deps.ensureDir(dir);
    const meta: UploadMeta = { key, contentType, initiated: new Date().toISOString() };
    await writeFile(path.join(dir, META_FILE), JSON.stringify(meta), { flag: 'wx' });
    return uploadId;
  }

  /**
   * Stores one part streamed from a client; resolves to its ETag.
   * @throws BodyMismatchError when the body is not exactly `size` bytes or, when `sha256` (base64)
   * is given, has another SHA-256 (nothing is kept).
   * @throws MultipartUploadNotFound when the upload is not open for `key`.
   */
  async receivePart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number,
    sha256?: string,
  ): Promise<string> {
    const dir = await this.openUploadDir(key, uploadId, 'receivePart');
    const release = await this.deps.lock(`part:${uploadId}:${partNumber}`);
    const temp = path.join(dir, `${randomUUID()}.tmp`);
    try {
      const md5 = createHash('md5');
      const digest = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          callback(null, chunk);
        },
      });
      const checked = new ExactLengthStream(size, { sha256: sha256 !== undefined });
      await pipeline(body, checked, digest, createWriteStream(temp, { flags: 'wx' }));
      if (sha256 !== undefined && checked.digestBase64() !== sha256) throw new BodyMismatchError('checksum');
      const hex = md5.digest('hex');
      const name = `${String(partNumber).padStart(5, '0')}-${hex}.part`;
      const earlier = (await readdir(dir)).filter(
        (file) => PART_FILE.exec(file)?.[1] === name.slice(0, 5) && file !== name,
      );
      await rename(temp, path.join(dir, name));
      await Promise.all(earlier.map((file) => rm(path.join(dir, file), { force: true })));
      return `"${hex}"`;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (error instanceof BodyMismatchError) throw error;
      if (isMissing(error)) throw new MultipartUploadNotFound('receivePart', error);
      throw error;
    } finally {
      await release();
    }
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const dir = await this.openUploadDir(key, uploadId, 'listParts');
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) throw new MultipartUploadNotFound('listParts', error);
      throw error;
    }
    const parts = new Map<number, StoredPart & { mtimeMs: number }>();
    for (const file of files) {
      const match = PART_FILE.exec(file);
      if (!match) continue;
      const info = await stat(path.join(dir, file)).catch(() => null);
      if (!info) continue; // replaced meanwhile
      const partNumber = Number(match[1]);
      const previous = parts.get(partNumber);
      // Two files of one number only exist for a moment while a retry replaces the first.
      if (previous && previous.mtimeMs >= info.mtimeMs) continue;
      parts.set(partNumber, { partNumber, size: info.size, etag: `"${match[2]}"`, mtimeMs: info.mtimeMs });
    }
    return [...parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(({ partNumber, size, etag }) => ({ partNumber, size, etag }));
  }

  async complete(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
    staging: string,
  ): Promise<void> {
    const dir = await this.openUploadDir(key, uploadId, 'completeMultipartUpload');
    const stored = new Map((await this.listParts(key, uploadId)).map((part) => [part.partNumber, part]));
    if (parts.length === 0) throw new MultipartIncomplete('no parts were named');
    const files: string[] = [];
    let previous = 0;
    // In part-number order, as the S3 provider sends them.
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    for (const [i, part] of ordered.entries()) {
      if (part.partNumber === previous)
        throw new MultipartIncomplete(`part ${part.partNumber} is named twice`, { code: 'InvalidPartOrder' });
      previous = part.partNumber;
      const held = stored.get(part.partNumber);
      if (!held || normalizeEtag(held.etag) !== normalizeEtag(part.etag)) {
        throw new MultipartIncomplete(`part ${part.partNumber} is missing or has another ETag`);
      }
      if (i < ordered.length - 1 && held.size < MIN_PART_SIZE) {
        throw new MultipartIncomplete(`part ${part.partNumber} is smaller than 5 MiB`, {
          code: 'EntityTooSmall',
        });
      }
      files.push(
        path.join(dir, `${String(part.partNumber).padStart(5, '0')}-${normalizeEtag(held.etag)}.part`),
      );
    }
    const temp = path.join(staging, `${randomUUID()}.assembling`);
    try {
      for (const [i, file] of files.entries()) {
        await pipeline(
          createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }),
          createWriteStream(temp, { flags: i === 0 ? 'wx' : 'a' }),
        );
      }
      await this.deps.place(temp, this.deps.fileFor(key));
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (isMissing(error))
        throw new MultipartIncomplete('a part was replaced or removed while completing', { cause: error });
      throw error;
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** @throws MultipartUploadNotFound when the upload is not open (the adapter decides what that means). */
  async abort(key: string, uploadId: string): Promise<void> {
    const dir = await this.openUploadDir(key, uploadId, 'abortMultipartUpload');
    await rm(dir, { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<OpenMultipartUpload[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.deps.dir)).filter((name) => UUID.test(name)).sort();
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    let page: OpenMultipartUpload[] = [];
    for (const uploadId of ids) {
      const meta = await this.readMeta(uploadId);
      if (!meta || !meta.key.startsWith(prefix)) continue;
      page.push({ key: meta.key, uploadId, initiated: new Date(meta.initiated) });
      if (page.length === LIST_PAGE_SIZE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  /** The upload's directory, when it is open for `key`. */
  private async openUploadDir(key: string, uploadId: string, operation: string): Promise<string> {
    const dir = this.uploadDir(uploadId);
    const meta = dir ? await this.readMeta(uploadId) : null;
    if (!dir || !meta || meta.key !== key) throw new MultipartUploadNotFound(operation);
    return dir;
  }

  private uploadDir(uploadId: string): string | null {
    return UUID.test(uploadId) ? path.join(this.deps.dir, uploadId) : null;
  }

  private async readMeta(uploadId: string): Promise<UploadMeta | null> {
    try {
      return JSON.parse(await readFile(path.join(this.deps.dir, uploadId, META_FILE), 'utf8')) as UploadMeta;
    } catch (error) {
      if (isMissing(error) || error instanceof SyntaxError) return null;
      throw error;
    }
  }
}

function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}
