/** What replaces a secret in a log line. */
export const REDACTED = '[redacted]';

/**
 * Query parameters that are credentials: bearer tokens, one-time codes, the local provider's URL
 * signatures, and S3 presigned URLs' signature and session token. Compared case-insensitively.
 */
const SECRET_QUERY_PARAMETERS = [
  'token',
  'code',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
];
const SECRET_IN_QUERY = new RegExp(`([?&](?:${SECRET_QUERY_PARAMETERS.join('|')})=)[^&#]*`, 'gi');

/** Headers pino's redaction removes from logged requests and responses (see logger.ts). */
export const SECRET_HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** `url` with the value of every secret query parameter replaced, the rest as it was. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_IN_QUERY, `$1${REDACTED}`);
}

/** A parsed query object with secret parameters' values replaced. */
export function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    copy[name] = SECRET_QUERY_PARAMETERS.includes(name.toLowerCase()) ? REDACTED : value;
  }
  return copy;
}

/**
 * pino-http's request serializer, wrapped: the URL and parsed query it logs lose their secrets.
 * (Headers are left to pino's `redact`, which also covers the response's set-cookie.)
 */
export function redactingRequestSerializer<T extends { url?: string; query?: unknown }>(serialized: T): T {
  if (typeof serialized.url === 'string') serialized.url = redactUrl(serialized.url);
  if (serialized.query && typeof serialized.query === 'object') {
    serialized.query = redactQuery(serialized.query as Record<string, unknown>);
  }
  return serialized;
}
