import { ERRORS } from '../errors';
import type { Logger } from '../logger';
import { assetTopic, type RedisEventBus } from '../pubsub/pubsub';
import { PushQueue } from '../pubsub/push-queue';
import type { Actor } from './actor';
import { toAssetStateEvent, type AssetStateEvent } from './asset-events';
import type { UploadService } from './upload/upload.service';

/**
 * Live scan status of one asset: its current state first, then every later change, ending
 * after the final one. Listens before reading the row, so no change can fall in between, and
 * drops any event not newer (stateVersion) than the last one delivered.
 */
export class ScanStatusFeed {
  constructor(
    private readonly bus: RedisEventBus,
    private readonly uploads: UploadService,
    private readonly logger: Logger,
  ) {}

  async open(actor: Actor, assetId: string): Promise<AsyncIterableIterator<AssetStateEvent>> {
    const queue = new PushQueue<AssetStateEvent>();
    let lastVersion = 0;
    const deliver = (event: AssetStateEvent) => {
      if (event.stateVersion <= lastVersion) return;
      lastVersion = event.stateVersion;
      queue.push(event);
      if (event.final) queue.end();
    };
    const unsubscribe = await this.bus.subscribe<AssetStateEvent>(assetTopic(assetId), deliver);
    queue.onClose(unsubscribe);
    try {
      const asset = await this.uploads.findVisible(actor, assetId);
      if (!asset) throw ERRORS.notFound();
      deliver(toAssetStateEvent(asset));
    } catch (error) {
      await queue.return();
      throw error;
    }
    this.logger.debug({ assetId, userId: actor.userId }, 'scan status subscription opened');
    return queue;
  }
}
