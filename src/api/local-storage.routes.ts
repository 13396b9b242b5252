import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { BodyMismatchError } from '../storage/byte-count';
import { attachmentDisposition } from '../storage/content-disposition';
import {
  LOCAL_OBJECT_PATH,
  LOCAL_PART_PATH,
  LOCAL_UPLOAD_PATH,
  UploadInProgress,
  type LocalStorageAdapter,
} from '../storage/local.storage';
import { InvalidStorageKey, MultipartUploadNotFound, StorageError } from '../storage/storage.adapter';
import { watchUploadPace, type UploadPace } from './upload-pace';
import { dependencyOutage } from '../dependency-outage';
import { SERVICE_RETRY_AFTER_SECONDS } from '../errors';

export interface LocalStorageRouterOptions {
  /**
   * Receives failures that are not the client's fault (disk full, permissions), for the log.
   * Clients only ever see "storage error".
   * @default ignore
   */
  onError?: (error: unknown, req: Request) => void;
  /**
   * How fast an upload body must arrive; one that stalls or crawls is answered 408 and dropped,
   * keeping nothing.
   * @default 30 s idle, 32 KiB/s
   */
  pace?: UploadPace;
  /**
   * Whether the signed upload URL for `key` may still write (its asset is still a DRAFT). Asked
   * before the body is read and again once it is stored: a body that lost the race with confirm
   * is deleted rather than left as an orphan.
   * @default always
   */
  acceptsUpload?: (key: string) => Promise<boolean>;
  /**
   * Whether a signed part URL of multipart upload `uploadId` to `key` may still write (its asset
   * is a DRAFT with that upload open). Asked before the body is read.
   * @default always
   */
  acceptsPart?: (key: string, uploadId: string) => Promise<boolean>;
}

const DEFAULT_PACE: UploadPace = { idleTimeoutMs: 30_000, minBytesPerSecond: 32 * 1024 };

/**
 * Refused bodies up to this size are read and discarded so the client reliably gets the answer;
 * closing with unread bytes pending makes the kernel reset the connection, and many clients
 * then report a network error instead of the status. Larger ones are not worth reading.
 */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** Signed download URLs are short-lived; caching them longer than this buys nothing. */
const MAX_DOWNLOAD_CACHE_SECONDS = 3600;

/**
 * The local provider's half of presigned URLs: `PUT /storage/upload/<key>` accepts a body signed
 * by `LocalStorageAdapter.presignPut`, `GET|HEAD /storage/object/<key>` serves one signed by
 * `presignGet`. Mount it at the root, before any body parser (it streams request bodies itself).
 */
export function createLocalStorageRouter(
  adapter: LocalStorageAdapter,
  opts: LocalStorageRouterOptions = {},
): Router {
  const onError = opts.onError ?? (() => undefined);
  const pace = opts.pace ?? DEFAULT_PACE;
  const acceptsUpload = opts.acceptsUpload ?? (async () => true);
  const router = Router();
  // `use` rather than `put('/*key')`: the key is decoded here, once, where a malformed escape is
  // a plain 400 instead of an error travelling to the app's error handler.
  router.use(LOCAL_UPLOAD_PATH, (req, res, next) => {
    if (req.method !== 'PUT') return next();
    receiveUpload(adapter, req, res, pace, acceptsUpload).catch((error: unknown) =>
      failed(error, req, res, onError),
    );
  });
  const acceptsPart = opts.acceptsPart ?? (async () => true);
  router.use(LOCAL_PART_PATH, (req, res, next) => {
    if (req.method !== 'PUT') return next();
    receivePart(adapter, req, res, pace, acceptsPart).catch((error: unknown) =>
      failed(error, req, res, onError),
    );
  });
  router.use(LOCAL_OBJECT_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    serveObject(adapter, req, res).catch((error: unknown) => failed(error, req, res, onError));
  });
  return router;
}

async function receiveUpload(
  adapter: LocalStorageAdapter,
  req: Request,
  res: Response,
  pace: UploadPace,
  acceptsUpload: (key: string) => Promise<boolean>,
): Promise<void> {
  const key = keyFromPath(adapter, req.path);
  if (key === undefined) return refuse(req, res, 400, 'invalid key');
  const verified = adapter.verifyUploadUrl(key, queryOf(req));
  if (!verified.ok) {
    return refuse(req, res, 403, verified.reason === 'expired' ? 'expired' : 'invalid signature');
  }
  const { grant } = verified;
  if (req.headers['content-type'] !== grant.contentType) {
    return refuse(req, res, 403, 'content-type does not match the signed type');
  }
  const declared = req.headers['content-length'];
  if (declared === undefined) return refuse(req, res, 411, 'content-length required');
  if (!/^\d+$/.test(declared) || Number(declared) !== grant.size) {
    return refuse(req, res, 403, 'content-length does not match the signed size');
  }
  if (!(await acceptsUpload(key))) return refuse(req, res, 409, CONFIRMED_ALREADY);
  const stopWatching = watchUploadPace(req, pace, (reason) => {
    // Answer first, then drop the connection: the half-received body is discarded with it.
    refuse(req, res, 408, reason === 'idle' ? 'upload stalled' : 'upload too slow');
    res.once('finish', () => req.destroy());
  });
  try {
    await adapter.receiveUpload(key, req, { size: grant.size, sha256: grant.checksumSha256 });
  } catch (error) {
    if (error instanceof UploadInProgress)
      return refuse(req, res, 409, 'another upload to this URL is in progress');
    if (error instanceof BodyMismatchError) return refuse(req, res, 400, mismatchMessage(error));
    throw error;
  } finally {
    stopWatching();
  }
  // Confirmed while the body streamed: when the bytes are still here they came too late and are
  // nobody's (confirm moved or checked others); when confirm took them, they were in time.
  if (!(await acceptsUpload(key)) && (await adapter.head(key))) {
    await adapter.delete(key);
    return refuse(req, res, 409, CONFIRMED_ALREADY);
  }
  if (!res.headersSent) res.status(200).end();
}

function mismatchMessage(error: BodyMismatchError): string {
  return error.reason === 'checksum' ? 'body does not match the signed sha256' : 'body length does not match';
}

const CONFIRMED_ALREADY = 'this upload was already confirmed; start a new upload';

/** `PUT /storage/part/<key>?uploadId&partNumber&…`: one part, exactly its signed size; answers its ETag. */
async function receivePart(
  adapter: LocalStorageAdapter,
  req: Request,
  res: Response,
  pace: UploadPace,
  acceptsPart: (key: string, uploadId: string) => Promise<boolean>,
): Promise<void> {
  const key = keyFromPath(adapter, req.path);
  if (key === undefined) return refuse(req, res, 400, 'invalid key');
  const verified = adapter.verifyPartUrl(key, queryOf(req));
  if (!verified.ok) {
    return refuse(req, res, 403, verified.reason === 'expired' ? 'expired' : 'invalid signature');
  }
  const { grant } = verified;
  const declared = req.headers['content-length'];
  if (declared === undefined) return refuse(req, res, 411, 'content-length required');
  if (!/^\d+$/.test(declared) || Number(declared) !== grant.size) {
    return refuse(req, res, 403, 'content-length does not match the signed size');
  }
  if (!(await acceptsPart(key, grant.uploadId))) return refuse(req, res, 409, UPLOAD_CLOSED);
  const stopWatching = watchUploadPace(req, pace, (reason) => {
    refuse(req, res, 408, reason === 'idle' ? 'upload stalled' : 'upload too slow');
    res.once('finish', () => req.destroy());
  });
  let etag: string;
  try {
    etag = await adapter.receivePart(
      key,
      grant.uploadId,
      grant.partNumber,
      req,
      grant.size,
      grant.checksumSha256,
    );
  } catch (error) {
    if (error instanceof UploadInProgress)
      return refuse(req, res, 409, 'this part is being uploaded already');
    if (error instanceof MultipartUploadNotFound) return refuse(req, res, 409, UPLOAD_CLOSED);
    if (error instanceof BodyMismatchError) return refuse(req, res, 400, mismatchMessage(error));
    throw error;
  } finally {
    stopWatching();
  }
  if (res.headersSent) return;
  res.statusCode = 200;
  res.setHeader('ETag', etag);
  // Browsers may only read the ETag a completion needs when it is exposed.
  if (!res.getHeader('Access-Control-Expose-Headers')) res.setHeader('Access-Control-Expose-Headers', 'ETag');
  res.end();
}

const UPLOAD_CLOSED = 'this upload is no longer open (confirmed or cancelled); start a new upload';

async function serveObject(adapter: LocalStorageAdapter, req: Request, res: Response): Promise<void> {
  const key = keyFromPath(adapter, req.path);
  if (key === undefined) return refuse(req, res, 400, 'invalid key');
  const verified = adapter.verifyDownloadUrl(key, queryOf(req));
  if (!verified.ok) {
    return refuse(req, res, 403, verified.reason === 'expired' ? 'expired' : 'invalid signature');
  }
  const { grant } = verified;
  const object = await adapter.openForDownload(key);
  if (!object) return refuse(req, res, 404, 'not found');

  const maxAge = Math.min(
    Math.max(grant.expires - Math.floor(Date.now() / 1000), 0),
    MAX_DOWNLOAD_CACHE_SECONDS,
  );
  // setHeader, not res.set: Express would append a charset to the signed Content-Type.
  res.statusCode = 200;
  res.setHeader('Content-Type', grant.contentType ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(object.info.size));
  res.setHeader('Content-Disposition', attachmentDisposition(grant.downloadName));
  // User-supplied bytes on our own origin: never sniffed, never scripted.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', `private, max-age=${maxAge}`);
  if (object.info.etag) res.setHeader('ETag', object.info.etag);
  if (object.info.lastModified) res.setHeader('Last-Modified', object.info.lastModified.toUTCString());
  if (req.method === 'HEAD') {
    object.body.destroy();
    res.end();
    return;
  }
  await pipeline(object.body, res);
}

/** The decoded key after the mount path, or undefined when it cannot be a key. */
function keyFromPath(adapter: LocalStorageAdapter, rawPath: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(rawPath.slice(1));
  } catch {
    return undefined;
  }
  return adapter.acceptsKey(key) ? key : undefined;
}

/** Parsed here, not from req.query, so the app's query-parser setting cannot change what is verified. */
function queryOf(req: Request): URLSearchParams {
  const url = req.originalUrl;
  const start = url.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : url.slice(start + 1));
}

function refuse(req: Request, res: Response, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.complete && !drainable(req.headers)) res.setHeader('Connection', 'close');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(message);
}

function drainable(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return length !== undefined && /^\d+$/.test(length) && Number(length) <= DRAIN_LIMIT_BYTES;
}

/** Last resort: never lets an error (and the paths in it) reach the client or Express' handler. */
function failed(
  error: unknown,
  req: Request,
  res: Response,
  onError: (error: unknown, req: Request) => void,
): void {
  if (error instanceof InvalidStorageKey) return refuse(req, res, 400, 'invalid key');
  if (!isClientGone(error)) onError(error, req);
  // A failed body stream takes the connection with it; there is nobody left to answer.
  if ((req.destroyed && !req.complete) || res.destroyed || res.headersSent) {
    res.destroy();
    return;
  }
  if (dependencyOutage(error)) {
    // Storage (or the database) is down, not the request wrong: nothing was kept; the client may PUT again later.
    res.setHeader('Retry-After', String(SERVICE_RETRY_AFTER_SECONDS));
    return refuse(req, res, 503, 'storage unavailable');
  }
  refuse(req, res, 500, 'storage error');
}

/** The client hung up mid-body or mid-download: its business, not a storage failure to log. */
function isClientGone(error: unknown): boolean {
  const code = error instanceof StorageError ? error.code : (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE';
}
