import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { WebhookStatusRepository } from '../repositories/webhook-status.repository';
import type { WebhookEndpoint } from '../services/webhooks/webhook-endpoints';
import type { WebhookSender } from '../webhooks/webhook-sender';
import type { JobPayloads, QueueName } from './queues';

type WebhookJob = Job<JobPayloads[typeof QueueName.Webhook]>;

/** A try that got no 2xx; BullMQ retries it with exponential backoff. */
export class WebhookDeliveryFailed extends Error {
  override name = 'WebhookDeliveryFailed';
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface WebhookDeliveryDeps {
  endpoints: readonly WebhookEndpoint[];
  sender: WebhookSender;
  status: WebhookStatusRepository;
  logger: Logger;
}

/**
 * The `webhook-delivery` processor: one signed POST of one event to one endpoint. The URL comes
 * from this process's configuration by the job's endpoint id; a job for an endpoint no longer
 * configured is dropped. Every try is counted per endpoint, with the last error kept for admins.
 */
export function webhookDeliveryProcessor(deps: WebhookDeliveryDeps) {
  const byId = new Map(deps.endpoints.map((endpoint) => [endpoint.id, endpoint]));
  return async (job: WebhookJob, _token?: string, signal?: AbortSignal): Promise<string> => {
    const { webhookId, endpointId, body } = job.data;
    const endpoint = byId.get(endpointId);
    const log = deps.logger.child({
      jobId: job.id,
      webhookId,
      assetId: body.data.assetId,
      attempt: job.attemptsMade + 1,
    });
    if (!endpoint) {
      log.warn({ endpointId }, 'webhook endpoint no longer configured; delivery dropped');
      return 'dropped';
    }
    const result = await deps.sender.send(endpoint.url, webhookId, JSON.stringify(body), signal);
    const at = new Date();
    if (result.ok) {
      await deps.status.recordSuccess(endpoint.id, at);
      log.debug({ endpoint: endpoint.label, status: result.status }, 'webhook delivered');
      return `HTTP ${result.status}`;
    }
    await deps.status.recordFailure(endpoint.id, result.error, at);
    log.warn({ endpoint: endpoint.label, reason: result.error }, 'webhook delivery failed; will retry');
    throw new WebhookDeliveryFailed(result.error);
  };
}

/** Logged once, when BullMQ gives a delivery up for good (its tries spent). */
export function onWebhookGivenUp(logger: Logger, job: WebhookJob | undefined, error: Error): void {
  if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
  logger.error(
    {
      jobId: job.id,
      webhookId: job.data.webhookId,
      assetId: job.data.body.data.assetId,
      reason: error.message,
    },
    'webhook delivery given up; retry it from the queue board',
  );
}
