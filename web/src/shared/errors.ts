import { formatBytes } from './format';

/** A human sentence per error code: the server's `extensions.code` or one of the page's own. */
export const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your token is missing, invalid or expired. Sign in again with a fresh one.',
  FORBIDDEN: 'Your token is valid, but it does not allow this.',
  BAD_USER_INPUT: 'Something in the request is not valid.',
  NOT_FOUND: 'That upload no longer exists, or it belongs to someone else.',
  FILE_TOO_LARGE: 'This file is too large to upload.',
  MIME_TYPE_NOT_ALLOWED: 'Files of this type cannot be uploaded here.',
  UPLOAD_NOT_FOUND: 'The file never reached storage. Please try again.',
  UPLOAD_EXPIRED: 'The upload link expired before the file was sent. Please start again.',
  UPLOAD_INCOMPLETE: 'Some parts of the file never reached storage. Retry to send the rest.',
  CONTENT_MISMATCH:
    'The file’s contents do not match its name, type or size (was it renamed, or changed while uploading?). It was rejected.',
  QUOTA_EXCEEDED: 'This upload would take you over your storage quota. Delete something or ask an admin.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Please try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again in a moment.',
  GRAPHQL_VALIDATION_FAILED: 'This page and the server disagree about the API. Please reload the page.',
  GRAPHQL_PARSE_FAILED: 'This page and the server disagree about the API. Please reload the page.',
  NETWORK_ERROR: 'Could not reach the server. Check your connection and try again.',
  STORAGE_REFUSED: 'The storage server refused the file.',
  UPLOAD_CANCELLED: 'Upload cancelled.',
  LIVE_STATUS_FAILED: 'Lost the live status connection. Check “My uploads” for the verdict.',
  SCAN_TIMEOUT: 'The scan is taking longer than expected. Check “My uploads” later for the verdict.',
  NO_TOKEN: 'Sign in first: paste your token above.',
  UNEXPECTED_RESPONSE: 'The server sent an answer this page does not understand. Please try again.',
};

/** An error with a code from {@link MESSAGES}; its message is the plain-words sentence. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(MESSAGES[code] ?? MESSAGES.INTERNAL_SERVER_ERROR);
  }

  /** From a GraphQL error object: its `extensions.code`; the server's message is not shown. */
  static fromGraphQL(error: { extensions?: Record<string, unknown> } | undefined): ApiError {
    const extensions = error?.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    return new ApiError(code, extensions);
  }
}

/** The code of any thrown value: an {@link ApiError}'s own, otherwise a generic one. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : 'INTERNAL_SERVER_ERROR';
}

/** The plain-words sentence of an error, with the numbers the server sent when it did. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return MESSAGES.INTERNAL_SERVER_ERROR;
  const { code, details } = error;
  if (code === 'FILE_TOO_LARGE' && typeof details.maxBytes === 'number') {
    return `This file is too large. The limit is ${formatBytes(details.maxBytes)}.`;
  }
  if (code === 'BAD_USER_INPUT' && typeof details.field === 'string') {
    return `${MESSAGES.BAD_USER_INPUT} (${details.field})`;
  }
  return error.message;
}
