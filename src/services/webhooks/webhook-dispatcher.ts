import type { IpAsset } from '../../entities/ip-asset.entity';
import type { WebhookBody } from '../../webhooks/webhook-body';
import type { WebhookEndpoint } from './webhook-endpoints';
import { webhookBodyFor, webhookIdFor, type FinalStateChange } from './webhook-event';

/** Where deliveries are queued (the `webhook-delivery` BullMQ queue in production). */
export interface WebhookQueue {
  enqueueWebhooks(deliveries: { webhookId: string; endpointId: string; body: WebhookBody }[]): Promise<void>;
}

/** Reads the asset's fixed facts (name, owner, type, size, reason) for the body. */
export interface WebhookAssetReader {
  findById(id: string): Promise<IpAsset | null>;
}

/**
 * Turns final state changes into one queued delivery per configured endpoint. Queuing is all it
 * does: the sending happens on the webhook worker, so a slow or dead receiver never holds up
 * whoever made the change. Dispatching the same change again queues nothing new (job id =
 * webhook-id).
 */
export class WebhookDispatcher {
  constructor(
    private readonly endpoints: readonly WebhookEndpoint[],
    private readonly assets: WebhookAssetReader,
    private readonly queue: WebhookQueue,
  ) {}

  get enabled(): boolean {
    return this.endpoints.length > 0;
  }

  /** Queues the webhooks of `changes`; rejects when they could not be queued (the caller retries). */
  async dispatch(changes: readonly FinalStateChange[]): Promise<void> {
    if (!this.enabled || changes.length === 0) return;
    const bodies = await Promise.all(
      changes.map(async (change) => {
        const asset = await this.assets.findById(change.assetId);
        // A row deleted since (cleanup, long after) has no name to tell; the change is long past.
        return asset ? { change, body: webhookBodyFor(change, asset) } : null;
      }),
    );
    await this.queue.enqueueWebhooks(
      bodies.flatMap((entry) =>
        entry?.body
          ? this.endpoints.map((endpoint) => ({
              webhookId: webhookIdFor(entry.change, endpoint.id),
              endpointId: endpoint.id,
              body: entry.body!,
            }))
          : [],
      ),
    );
  }
}
