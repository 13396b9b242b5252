import type { IpAsset } from '../../entities/ip-asset.entity';
import type { WebhookBody } from '../../webhooks/webhook-body';
import type { AssetEventPublisher, AssetStateEvent } from '../asset-events';
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

  /** Queues the webhooks of `change`; rejects when they could not be queued (the caller retries). */
  async dispatch(change: FinalStateChange): Promise<void> {
    if (!this.enabled) return;
    const asset = await this.assets.findById(change.assetId);
    // A row deleted since (cleanup, long after) has no name to tell; the change is long past.
    if (!asset) return;
    const body = webhookBodyFor(change, asset);
    if (!body) return;
    await this.queue.enqueueWebhooks(
      this.endpoints.map((endpoint) => ({
        webhookId: webhookIdFor(change, endpoint.id),
        endpointId: endpoint.id,
        body,
      })),
    );
  }
}

/**
 * The asset event publisher, with final states also handed to the webhooks. Until the outbox
 * delivers events, a webhook that cannot be queued is lost with the publish failure it causes.
 */
export function publisherWithWebhooks(
  publisher: AssetEventPublisher,
  webhooks: WebhookDispatcher,
): AssetEventPublisher {
  if (!webhooks.enabled) return publisher;
  return {
    async publish(event: AssetStateEvent) {
      await Promise.all([publisher.publish(event), event.final ? webhooks.dispatch(event) : undefined]);
    },
  };
}
