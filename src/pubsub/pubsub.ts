import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';
import type { AssetEventPublisher, AssetStateEvent } from '../services/asset-events';

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
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    onError: (error: Error) => void,
  ) {
    this.publisher = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
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

  async publishTopic(topic: string, payload: unknown): Promise<void> {
    await this.pubSub.publish(this.channel(topic), payload);
  }

  /**
   * Calls `onMessage` for every message on a topic. Resolves once Redis confirmed the
   * subscription, so nothing published afterwards is missed; the returned function unsubscribes.
   */
  async subscribe<T>(topic: string, onMessage: (message: T) => void): Promise<() => void> {
    const id = await this.pubSub.subscribe(this.channel(topic), onMessage);
    return () => this.pubSub.unsubscribe(id);
  }

  /** An async iterator over one topic's messages; `return()` unsubscribes. */
  listen<T>(topic: string): AsyncIterableIterator<T> {
    return this.pubSub.asyncIterableIterator<T>(this.channel(topic)) as AsyncIterableIterator<T>;
  }

  /** The shape type-graphql 2 expects for `buildSchema({ pubSub })`. */
  asTypeGraphQLPubSub(): PubSub {
    return {
      publish: (routingKey, ...args) => void this.publishTopic(routingKey, args[0]),
      subscribe: (routingKey, dynamicId) =>
        this.listen(dynamicId === undefined ? routingKey : `${routingKey}:${String(dynamicId)}`),
    };
  }

  async close(): Promise<void> {
    await this.pubSub.close();
  }
}
