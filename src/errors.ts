/** Every error code a client can see, as listed in the API contract. */
export enum ErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  FileTooLarge = 'FILE_TOO_LARGE',
  MimeTypeNotAllowed = 'MIME_TYPE_NOT_ALLOWED',
  UploadNotFound = 'UPLOAD_NOT_FOUND',
  UploadExpired = 'UPLOAD_EXPIRED',
  ContentMismatch = 'CONTENT_MISMATCH',
  UploadIncomplete = 'UPLOAD_INCOMPLETE',
  QuotaExceeded = 'QUOTA_EXCEEDED',
  RateLimited = 'RATE_LIMITED',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_SERVER_ERROR',
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.FileTooLarge]: 413,
  [ErrorCode.MimeTypeNotAllowed]: 415,
  [ErrorCode.UploadNotFound]: 404,
  [ErrorCode.UploadExpired]: 410,
  [ErrorCode.ContentMismatch]: 422,
  [ErrorCode.UploadIncomplete]: 409,
  [ErrorCode.QuotaExceeded]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/**
 * An error whose message is safe to show a client. Anything that is not an AppError is
 * reported to clients as INTERNAL_SERVER_ERROR, with the detail only in the log.
 */
export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

/**
 * What SERVICE_UNAVAILABLE tells clients to wait (Retry-After) before trying again: long enough
 * for a restart or a failover to finish, short enough that nobody waits on a healed dependency.
 */
export const SERVICE_RETRY_AFTER_SECONDS = 5;

/** Factories: each message is written once, here. */
export const ERRORS = {
  unauthenticated: () => new AppError(ErrorCode.Unauthenticated, 'Authentication required'),
  forbidden: () => new AppError(ErrorCode.Forbidden, 'You are not allowed to do this'),
  badInput: (field: string, message: string) => new AppError(ErrorCode.BadUserInput, message, { field }),
  notFound: () => new AppError(ErrorCode.NotFound, 'Asset not found'),
  fileTooLarge: (maxBytes: number) =>
    new AppError(ErrorCode.FileTooLarge, `File is larger than the limit of ${maxBytes} bytes`, {
      field: 'fileSize',
      maxBytes,
    }),
  singleUploadTooLarge: (maxBytes: number) =>
    new AppError(
      ErrorCode.FileTooLarge,
      `A single upload is limited to ${maxBytes} bytes here; use initiateMultipartUpload for larger files`,
      { field: 'fileSize', maxBytes },
    ),
  mimeTypeNotAllowed: (mimeType: string) =>
    new AppError(ErrorCode.MimeTypeNotAllowed, `Files of type ${mimeType} are not accepted`, {
      field: 'mimeType',
    }),
  uploadNotFound: () =>
    new AppError(ErrorCode.UploadNotFound, 'No uploaded file was found for this asset; upload it first'),
  uploadExpired: () =>
    new AppError(ErrorCode.UploadExpired, 'The upload URL has expired; start a new upload'),
  contentMismatch: (reason: string) =>
    new AppError(ErrorCode.ContentMismatch, `The uploaded file does not match its declaration: ${reason}`),
  uploadIncomplete: (problem: string, missingParts: number[]) =>
    new AppError(
      ErrorCode.UploadIncomplete,
      `The upload is not complete: ${problem}; upload the missing parts and confirm again`,
      { missingParts: missingParts.slice(0, 100) },
    ),
  quotaExceeded: (remainingBytes: number, quotaBytes: number) =>
    new AppError(
      ErrorCode.QuotaExceeded,
      `This upload would exceed your storage quota: ${remainingBytes} of ${quotaBytes} bytes are left`,
      { field: 'fileSize', remainingBytes, quotaBytes },
    ),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(ErrorCode.RateLimited, 'Too many requests; slow down', { retryAfterSeconds }),
  tooManyLiveOperations: (scope: 'connection' | 'user', max: number) =>
    new AppError(
      ErrorCode.RateLimited,
      `Too many live operations on this ${scope} (at most ${max}); complete one first`,
      { limit: scope === 'connection' ? 'WS_MAX_SUBSCRIPTIONS' : 'WS_MAX_SUBSCRIPTIONS_PER_USER', max },
    ),
  /** A dependency is down (see dependencyOutage): the request changed nothing and may be retried. */
  serviceUnavailable: () =>
    new AppError(
      ErrorCode.ServiceUnavailable,
      'A service this request needs is unavailable; nothing was changed. Retry later',
      { retryAfterSeconds: SERVICE_RETRY_AFTER_SECONDS },
    ),
  tokenExpired: () =>
    new AppError(ErrorCode.Unauthenticated, 'The token has expired; reconnect with a new one'),
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
