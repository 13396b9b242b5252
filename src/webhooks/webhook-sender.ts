import { Webhook } from 'standardwebhooks';
import { errorCode, errorMessage } from '../error-details';

/** How much of a receiver's answer is read (then dropped): enough to reuse the connection, no more. */
const MAX_RESPONSE_BYTES = 4 * 1024;

/** What one try came to. `error` is safe to show admins: status codes and network causes only. */
export type WebhookTryResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

export interface WebhookSenderOptions {
  /** `whsec_` + base64 key (validated by the config). */
  secret: string;
  /** A try with no 2xx answer within this long failed. */
  timeoutMs: number;
}

/**
 * Signs and POSTs webhooks per the Standard Webhooks specification (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, signed with the `standardwebhooks` package).
 *
 * Only the URL it is given is called: redirects are not followed (a 3xx is a failed try), and
 * at most {@link MAX_RESPONSE_BYTES} of the answer are read, so a receiver cannot make a worker
 * hold a large or endless body.
 */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signer = new Webhook(options.secret);
  }

  /** One try. Never rejects, except with `signal.reason` when the caller aborts. */
  async send(
    url: string,
    webhookId: string,
    payload: string,
    signal?: AbortSignal,
  ): Promise<WebhookTryResult> {
    const sentAt = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'upload-service-webhooks/1',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': this.signer.sign(webhookId, sentAt, payload),
    };
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: payload,
        redirect: 'manual',
        signal: combined,
      });
      await drainSome(response);
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      return { ok: false, status: response.status, error: `HTTP ${response.status}${redirect}` };
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) return { ok: false, error: `no answer within ${this.options.timeoutMs} ms` };
      return { ok: false, error: `request failed: ${networkCause(error)}` };
    }
  }
}

/** Reads up to the cap so a keep-alive connection can be reused, then drops the rest. */
async function drainSome(response: Response): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let read = 0;
  try {
    while (read <= MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** fetch says "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function networkCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return errorCode(cause) ?? errorMessage(cause ?? error).slice(0, 200);
}
