import { createHash } from 'node:crypto';

/** One configured receiver. Only these URLs are ever called: none comes from user input. */
export interface WebhookEndpoint {
  /** Stable short id (a hash of the URL): jobs carry it instead of the URL. */
  id: string;
  url: string;
  /** Origin and path, for admins, logs and metrics; never the query, which may carry a token. */
  label: string;
}

/** The endpoints of `WEBHOOK_URLS`, in order, each once. */
export function webhookEndpoints(urls: readonly string[]): WebhookEndpoint[] {
  const unique = [...new Set(urls)];
  return unique.map((url) => {
    const parsed = new URL(url);
    return {
      id: createHash('sha256').update(url).digest('hex').slice(0, 16),
      url,
      label: `${parsed.origin}${parsed.pathname}`,
    };
  });
}
