import { isNetworkError } from '../../error-details';
import { StorageError } from '../storage.adapter';

/** The safe-to-keep parts of an SDK or network error: a short code and an HTTP status. */
export function describeProviderError(error: unknown): { code?: string; status?: number } {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  // Service errors carry their S3 code as `name`; network errors carry errno codes as `code`.
  const candidate = typeof e.code === 'string' ? e.code : status !== undefined ? e.name : undefined;
  const code =
    typeof candidate === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(candidate) ? candidate : undefined;
  return { code, status };
}

/** 404 of any kind, including a HEAD's body-less `NotFound`. */
export function isNotFound(error: unknown): boolean {
  const { code, status } = describeProviderError(error);
  return status === 404 || code === 'NotFound' || code === 'NoSuchKey';
}

/** The object is missing, as opposed to the bucket (a misconfiguration that must surface). */
export function isMissingObject(error: unknown): boolean {
  return describeProviderError(error).code !== 'NoSuchBucket' && isNotFound(error);
}

/**
 * The provider could not be reached or could not serve (network error, timeout, 5xx, SlowDown):
 * an outage to wait out, never an answer about the object.
 */
function isProviderUnavailable(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const { status } = describeProviderError(error);
  if (status !== undefined) return status >= 500 || status === 429;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'RequestTimeout';
}

/**
 * An SDK failure as the adapter's StorageError: code, status and whether it is an outage kept,
 * the SDK's message (which can name the bucket or endpoint) not.
 */
export function providerStorageError(operation: string, error: unknown): StorageError {
  const { code, status } = describeProviderError(error);
  return new StorageError(`Storage ${operation} failed`, {
    operation,
    cause: error,
    code,
    status,
    unavailable: isProviderUnavailable(error),
  });
}
