import { ERRORS } from '../errors';
import type { Logger } from '../logger';
import { assetTopic, type RedisEventBus } from '../pubsub/pubsub';
import { PushQueue } from '../pubsub/push-queue';
import type { Actor } from './actor';
import {
  toAssetStateEvent,
  toAssetStatusUpdate,
  type AssetStateEvent,
  type AssetStatusUpdate,
} from './asset-events';
import type { AssetEventRow } from '../repositories/asset-event.repository';
import { isLiveEvent, toLiveEvent } from './lifecycle/outbox-consumers';
import type { UploadService } from './upload/upload.service';

/** Reads the trail of the assets being watched (the asset_event repository fits). */
export interface WatchedTrail {
  listForAssets(assetIds: readonly string[]): Promise<AssetEventRow[]>;
}

type Listener = (update: AssetStatusUpdate) => void;

/** The local subscribers of one asset, sharing one bus subscription. */
interface WatchedAsset {
  listeners: Set<Listener>;
  /** Resolves with the unsubscribe function once Redis confirmed the subscription. */
  subscribed: Promise<() => void>;
}

/**
 * Live scan status of one asset: its current state first, then every later change, ending
 * after the final one. Listens before reading the row, so no change can fall in between, and
 * drops any event not newer (stateVersion) than the last one delivered.
 *
 * Every subscriber of an asset on this replica shares one bus subscription, and each event is
 * turned into what subscribers receive once, not once per subscriber: with a thousand watchers
 * of one asset, per-subscriber work is only the version check and the queue.
 */
export class ScanStatusFeed {
  private readonly watched = new Map<string, WatchedAsset>();

  constructor(
    private readonly bus: RedisEventBus,
    private readonly uploads: UploadService,
    private readonly logger: Logger,
    private readonly trail?: WatchedTrail,
  ) {
    bus.onReconnect(() => void this.catchUp());
  }

  /**
   * After pub/sub lost Redis, events published meanwhile never arrive. With the trail (the
   * outbox), every live event of each watched asset is replayed in order, so subscribers miss
   * no change; without it, or if it cannot be read, each asset's current state is delivered, so
   * a final event sent during the outage still ends their subscriptions. Subscribers drop
   * whatever is not newer than what they have.
   */
  private async catchUp(): Promise<void> {
    const assetIds = [...this.watched.keys()];
    if (assetIds.length === 0) return;
    this.logger.info({ assets: assetIds.length }, 'pub/sub reconnected; catching up watched assets');
    if (this.trail) {
      try {
        for (const row of await this.trail.listForAssets(assetIds)) {
          if (!isLiveEvent(row)) continue;
          const update = toAssetStatusUpdate(toLiveEvent(row));
          for (const deliver of this.watched.get(row.assetId)?.listeners ?? []) deliver(update);
        }
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'could not replay the trail after reconnecting; re-reading assets');
      }
    }
    for (const assetId of assetIds) {
      try {
        const asset = await this.uploads.currentState(assetId);
        const watched = this.watched.get(assetId);
        if (!asset || !watched) continue;
        const update = toAssetStatusUpdate(toAssetStateEvent(asset));
        for (const deliver of watched.listeners) deliver(update);
      } catch (error) {
        this.logger.warn({ err: error, assetId }, 'could not re-read a watched asset after reconnecting');
      }
    }
  }

  async open(actor: Actor, assetId: string): Promise<AsyncIterableIterator<AssetStatusUpdate>> {
    const queue = new PushQueue<AssetStatusUpdate>();
    let lastVersion = 0;
    const deliver = (update: AssetStatusUpdate) => {
      if (update.stateVersion <= lastVersion) return;
      lastVersion = update.stateVersion;
      queue.push(update);
      if (update.final) queue.end();
    };
    const leave = await this.watch(assetId, deliver);
    queue.onClose(leave);
    try {
      const asset = await this.uploads.findVisible(actor, assetId);
      if (!asset) throw ERRORS.notFound();
      deliver(toAssetStatusUpdate(toAssetStateEvent(asset)));
    } catch (error) {
      await queue.return();
      throw error;
    }
    this.logger.debug({ assetId, userId: actor.userId }, 'scan status subscription opened');
    return queue;
  }

  /** Adds `listener` to the asset's subscribers; resolves once events reach it, with how to leave. */
  private async watch(assetId: string, listener: Listener): Promise<() => void> {
    let asset = this.watched.get(assetId);
    if (!asset) {
      const listeners = new Set<Listener>();
      const subscribed = this.bus.subscribe<AssetStateEvent>(assetTopic(assetId), (event) => {
        const update = toAssetStatusUpdate(event);
        for (const deliver of listeners) deliver(update);
      });
      asset = { listeners, subscribed };
      this.watched.set(assetId, asset);
    }
    const watchedAsset = asset;
    watchedAsset.listeners.add(listener);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      watchedAsset.listeners.delete(listener);
      if (watchedAsset.listeners.size > 0) return;
      if (this.watched.get(assetId) === watchedAsset) this.watched.delete(assetId);
      void watchedAsset.subscribed.then(
        (unsubscribe) => unsubscribe(),
        () => undefined,
      );
    };
    try {
      await watchedAsset.subscribed;
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }
}
