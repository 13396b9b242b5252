import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { AssetEventPublisher, AssetStateEvent } from '../services/asset-events';
import type { RedisClient } from './redis-client';

/** Pub/sub channels. Per-asset channels are `TOPIC:id`, so a replica only hears what it serves. */
export enum Topic {
  AssetScanStatus = 'ASSET_SCAN_STATUS',
}

export const assetTopic = (assetId: string) => `${Topic.AssetScanStatus}:${assetId}`;

/** How long a new subscription waits for the subscriber connection to be (re)established. */
const SUBSCRIBER_READY_TIMEOUT_MS = 5000;

/** Redis pub/sub is not connected (Redis down or restarting): a subscription cannot start now. */
export class PubSubUnavailable extends Error {
  override name = 'PubSubUnavailable';
  constructor() {
    super('Redis pub/sub is not connected');
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * Redis pub/sub with its own publisher and subscriber connections (a subscribed connection can
 * do nothing else), namespaced by `prefix` so deployments sharing a Redis do not hear each other.
 */
export class RedisEventBus implements AssetEventPublisher {
  readonly pubSub: RedisPubSub;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly reconnectListeners = new Set<() => void>();
  private connectedBefore = false;
  private subscriberReadyWait: Promise<void> | undefined;

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
    this.subscriber.on('ready', () => {
      if (!this.connectedBefore) {
        this.connectedBefore = true;
        return;
      }
      // ioredis emits 'ready' before it re-sends the SUBSCRIBEs (in the same tick); a PING sent
      // after them, and so answered after them, means they are in place: nothing published from
      // then on is missed.
      setImmediate(() => {
        void this.subscriber
          .ping()
          .catch(() => undefined)
          .then(() => {
            for (const listener of this.reconnectListeners) listener();
          });
      });
    });
  }

  /**
   * Calls `listener` each time the subscriber connection is back after losing Redis, with the
   * subscriptions in place again. Messages published while it was away are lost: listeners
   * re-read what they follow. Returns how to stop listening.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
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
    await this.subscriberReady();
    const id = await this.pubSub.subscribe(this.channel(topic), onMessage);
    return () => this.pubSub.unsubscribe(id);
  }

  /**
   * Resolves once the subscriber connection is ready. ioredis writes a SUBSCRIBE issued while it
   * is still connecting straight away, before its own ready check (INFO), which then fails in
   * subscriber mode, tears the connection down and rejects every pending subscription. While
   * Redis is away, gives up after a while with PubSubUnavailable (SERVICE_UNAVAILABLE).
   */
  private async subscriberReady(): Promise<void> {
    const subscriber = this.subscriber;
    if (subscriber.status === 'ready') return;
    // One listener however many subscriptions wait (a reconnect may find hundreds).
    this.subscriberReadyWait ??= new Promise<void>((resolve) => {
      subscriber.once('ready', () => {
        this.subscriberReadyWait = undefined;
        resolve();
      });
      if (subscriber.status === 'wait') void subscriber.connect().catch(() => undefined);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PubSubUnavailable()), SUBSCRIBER_READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.subscriberReadyWait, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pubSub.close();
  }
}
