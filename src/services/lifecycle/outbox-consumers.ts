import { AssetStatus } from '../../entities/ip-asset.entity';
import type { AssetEventRow } from '../../repositories/asset-event.repository';
import type { RejectionReason, UploadEvent } from '../analytics/upload-event';
import { UploadEventType } from '../analytics/upload-event';
import type { AssetEventPublisher, AssetStateEvent } from '../asset-events';
import type { OutboxConsumer } from './outbox-relay';
import { EVENT_DELIVERY, type AssetEventType } from './transitions';

function deliveryOf(event: AssetEventRow) {
  return EVENT_DELIVERY[event.type as AssetEventType] ?? { live: false, counts: [] };
}

/** True for the events `assetScanStatus` subscribers get (see `EVENT_DELIVERY`). */
export function isLiveEvent(event: AssetEventRow): boolean {
  return deliveryOf(event).live;
}

/** The event subscribers get, built from the outbox row alone (the asset may be gone). */
export function toLiveEvent(event: AssetEventRow): AssetStateEvent {
  return {
    assetId: event.assetId,
    status: event.status,
    scanStatus: event.scanStatus,
    scanResult: event.scanResult,
    stateVersion: event.stateVersion,
    final: event.final,
    at: event.at.toISOString(),
  };
}

/**
 * Publishes live events to `assetScanStatus` subscribers (Redis pub/sub, every replica). A
 * repeat is harmless: subscribers drop events not newer than the stateVersion they have.
 */
export function liveUpdatesConsumer(publisher: AssetEventPublisher): OutboxConsumer {
  return {
    name: 'live-updates',
    async deliver(events) {
      await Promise.all(events.filter(isLiveEvent).map((event) => publisher.publish(toLiveEvent(event))));
    },
  };
}

/** The analytics events one outbox event counts (see `EVENT_DELIVERY`). */
export function analyticsEventsOf(event: AssetEventRow): UploadEvent[] {
  // A rescan that leaves the asset approved is no new scan or approval to count; its detection is
  // (the asset is rejected now).
  if (event.detail?.rescan === true && event.status !== AssetStatus.REJECTED) return [];
  return deliveryOf(event).counts.map((type) => ({
    type,
    assetId: event.assetId,
    userId: event.ownerId,
    mimeType: event.mimeType,
    fileSize: event.fileSize,
    reason:
      type === UploadEventType.Rejected
        ? ((event.detail?.reason as RejectionReason | undefined) ?? undefined)
        : undefined,
    // Dated by the change, not the delivery: a late delivery still counts on the right day.
    at: event.at,
  }));
}

/** Where analytics counts go: resolves true when counted, false for a repeat; throws when not recorded. */
export interface AnalyticsRecorder {
  recordEvent(event: UploadEvent): Promise<boolean>;
}

/**
 * Counts events in analytics, each (asset, event type) once however often it is delivered.
 * `onCounted` hears each event the first time it is counted (Prometheus counters).
 */
export function analyticsConsumer(
  analytics: AnalyticsRecorder,
  onCounted?: (event: UploadEvent) => void,
): OutboxConsumer {
  return {
    name: 'analytics',
    async deliver(events) {
      await Promise.all(
        events.flatMap(analyticsEventsOf).map(async (event) => {
          if (await analytics.recordEvent(event)) onCounted?.(event);
        }),
      );
    },
  };
}
