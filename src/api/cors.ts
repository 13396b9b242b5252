import cors from 'cors';

/**
 * Lets web apps on the listed origins call the API (and PUT to local upload URLs) from a browser.
 * Tokens travel in the Authorization header, never cookies, so credentials stay off.
 */
export function corsFor(origins: readonly string[]): ReturnType<typeof cors> {
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'x-amz-checksum-sha256'],
    exposedHeaders: ['x-request-id', 'retry-after', 'etag'],
    credentials: false,
    maxAge: 600,
  });
}
