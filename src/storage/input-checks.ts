import type { Readable } from 'node:stream';
import {
  MAX_PARTS,
  type PresignGetInput,
  type PresignPartInput,
  type PresignPutInput,
} from './storage.adapter';

/** SigV4 refuses longer; the local provider keeps the same bound so both behave alike. */
const MAX_URL_LIFETIME_SECONDS = 7 * 24 * 3600;
/** type/subtype with optional parameters, and nothing that could split a header. */
const CONTENT_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;[\x20-\x7e]*)?$/;

// These are programming errors in the caller (the service validates user input first), hence
// TypeError/RangeError rather than StorageError.

/** A SHA-256 digest in base64, as S3's x-amz-checksum-sha256 carries it. */
export function isBase64Sha256(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value);
}

export function assertPresignPutInput(input: PresignPutInput): void {
  assertLifetime(input.expiresInSeconds);
  assertContentType(input.contentType);
  if (!Number.isSafeInteger(input.contentLength) || input.contentLength < 0) {
    throw new RangeError('contentLength must be a non-negative integer');
  }
  if (input.checksumSha256 !== undefined && !isBase64Sha256(input.checksumSha256)) {
    throw new TypeError('checksumSha256 must be a base64 SHA-256 digest');
  }
}

export function assertPresignPartInput(input: PresignPartInput): void {
  assertLifetime(input.expiresInSeconds);
  if (!Number.isInteger(input.partNumber) || input.partNumber < 1 || input.partNumber > MAX_PARTS) {
    throw new RangeError(`partNumber must be an integer from 1 to ${MAX_PARTS}`);
  }
  if (!Number.isSafeInteger(input.contentLength) || input.contentLength < 1) {
    throw new RangeError('contentLength must be a positive integer');
  }
  if (typeof input.uploadId !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(input.uploadId)) {
    throw new TypeError('uploadId must be printable ASCII');
  }
  if (input.checksumSha256 !== undefined && !isBase64Sha256(input.checksumSha256)) {
    throw new TypeError('checksumSha256 must be a base64 SHA-256 digest');
  }
}

export function assertPresignGetInput(input: PresignGetInput): void {
  assertLifetime(input.expiresInSeconds);
  if (input.contentType !== undefined) assertContentType(input.contentType);
}

export function assertPutOptions(
  body: Buffer | Readable,
  options: { contentType: string; contentLength?: number },
): void {
  assertContentType(options.contentType);
  const { contentLength } = options;
  if (contentLength !== undefined && (!Number.isSafeInteger(contentLength) || contentLength < 0)) {
    throw new RangeError('contentLength must be a non-negative integer');
  }
  if (Buffer.isBuffer(body)) {
    if (contentLength !== undefined && contentLength !== body.length) {
      throw new RangeError('contentLength does not match the buffer');
    }
  } else if (contentLength === undefined) {
    throw new TypeError('contentLength is required when the body is a stream');
  }
}

/** A peek is held in memory whole; anything larger than this should be streamed. */
const MAX_PEEK_BYTES = 1024 * 1024;

export function assertPeekLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_PEEK_BYTES) {
    throw new RangeError(`peek length must be between 1 and ${MAX_PEEK_BYTES} bytes`);
  }
}

/** Signed URLs carry whole seconds; dropping the milliseconds keeps expiresAt exact. */
export function floorToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function assertLifetime(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_URL_LIFETIME_SECONDS) {
    throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_URL_LIFETIME_SECONDS}`);
  }
}

function assertContentType(value: string): void {
  if (typeof value !== 'string' || !CONTENT_TYPE.test(value)) {
    throw new TypeError('contentType must be a MIME type');
  }
}
