import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { AssetEventPublisher, AssetStateEvent } from '../services/asset-events';
import type { RedisClient } from './redis-client';

/** Pub/sub channels. Per-asset channels are `TOPIC:id`, so a replica only hears what it serves. */
export enum Topic {
  AssetScanStatus = 'ASSET_SCAN_STATUS',
}

export const assetTopic = (assetId: string) => `${Topic.AssetScanStatus}:${assetId}`;

/**
 * Redis pub/sub with its own publisher and subscriber connections (a subscribed connection can
 * do nothing else), namespaced by `prefix` so deployments sharing a Redis do not hear each other.
 */
export class RedisEventBus implements AssetEventPublisher {
  readonly pubSub: RedisPubSub;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;

  /** `connect(purpose)` opens a connection of the configured Redis (one server or a cluster). */
  constructor(
    connect: (purpose: 'publisher' | 'subscriber') => RedisClient,
    private readonly prefix: string,
    onError: (error: Error) => void,
  ) {
    this.publisher = connect('publisher');
    this.subscriber = connect('subscriber');
    // ioredis reconnects by itself; an unhandled 'error' event would crash the process instead.
    this.publisher.on('error', onError);
    this.subscriber.on('error', onError);
    this.pubSub = new RedisPubSub({ publisher: this.publisher, subscriber: this.subscriber });
  }

  private channel(topic: string): string {
    return `${this.prefix}:${topic}`;
  }

  async publish(event: AssetStateEvent): Promise<void> {
    await this.pubSub.publish(this.channel(assetTopic(event.assetId)), event);
  }

  /**
   * Calls `onMessage` for every message on a topic. Resolves once Redis confirmed the
   * subscription, so nothing published afterwards is missed; the returned function unsubscribes.
   */
  async subscribe<T>(topic: string, onMessage: (message: T) => void): Promise<() => void> {
    const id = await this.pubSub.subscribe(this.channel(topic), onMessage);
    return () => this.pubSub.unsubscribe(id);
  }

  async close(): Promise<void> {
    await this.pubSub.close();
  }
}
