import { AssetStatus } from '../../entities/ip-asset.entity';
import type { AssetEventRow } from '../../repositories/asset-event.repository';
import type { OutboxConsumer } from '../lifecycle/outbox-relay';
import { AssetEventType } from '../lifecycle/transitions';
import type { WebhookDispatcher } from './webhook-dispatcher';
import type { FinalStateChange } from './webhook-event';

/**
 * True for an event that puts an asset in a final state receivers are told about: approved
 * (once its thumbnail is settled) or rejected, for any reason. Not the row's deletion by the
 * cleanup, and not a rescan that leaves an approved asset approved.
 */
export function isWebhookEvent(event: AssetEventRow): boolean {
  if (event.type === AssetEventType.CleanedUp) return false;
  if (event.status === AssetStatus.REJECTED) return true;
  return event.status === AssetStatus.APPROVED && event.final && event.detail?.rescan !== true;
}

function toChange(event: AssetEventRow): FinalStateChange {
  const reason = event.detail?.reason;
  return {
    assetId: event.assetId,
    status: event.status,
    scanStatus: event.scanStatus,
    scanResult: event.scanResult,
    stateVersion: event.stateVersion,
    at: event.at.toISOString(),
    reason: typeof reason === 'string' ? reason : null,
  };
}

/**
 * Feeds webhooks from the outbox: the relay offers every committed event at least once, and
 * marks it delivered only once its webhook jobs are in Redis, so a crash loses none. A repeat
 * queues nothing new (job id = webhook-id, from the asset and its stateVersion).
 */
export function webhookConsumer(webhooks: WebhookDispatcher): OutboxConsumer {
  return {
    name: 'webhooks',
    deliver: (events) => webhooks.dispatch(events.filter(isWebhookEvent).map(toChange)),
  };
}
