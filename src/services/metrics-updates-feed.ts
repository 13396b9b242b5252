import type { Logger } from '../logger';
import { PushQueue } from '../pubsub/push-queue';
import type { RedisClient, RedisClientFactory } from '../pubsub/redis-client';
import type { UploadAnalytics } from './analytics/analytics.service';
import type { UploadMetrics } from './analytics/analytics.types';
import { utcDay } from './analytics/analytics-keys';
import { subscribeToMetricChanges } from './analytics/metrics-change-feed';
import { MetricsPushCoalescer } from './analytics/metrics-push-coalescer';

/**
 * Today's metrics, pushed to this replica's admin subscribers whenever any process counts an
 * upload event. One Redis subscription and one recomputation per push interval serve every
 * subscriber, however many uploads arrive. Started on the first subscriber.
 */
export class MetricsUpdatesFeed {
  private readonly subscribers = new Set<PushQueue<UploadMetrics>>();
  private started: Promise<void> | null = null;
  private connection: RedisClient | null = null;
  private coalescer: MetricsPushCoalescer | null = null;

  constructor(
    /** Opens the feed's own subscriber connection. */
    private readonly connect: RedisClientFactory,
    private readonly prefix: string,
    private readonly analytics: UploadAnalytics,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  async open(): Promise<AsyncIterableIterator<UploadMetrics>> {
    this.started ??= this.start();
    await this.started;
    const queue = new PushQueue<UploadMetrics>();
    this.subscribers.add(queue);
    queue.onClose(() => this.subscribers.delete(queue));
    return queue;
  }

  async close(): Promise<void> {
    this.coalescer?.close();
    for (const queue of this.subscribers) await queue.return();
    this.connection?.disconnect();
  }

  private async start(): Promise<void> {
    const coalescer = new MetricsPushCoalescer(() => this.pushToSubscribers(), {
      intervalMs: this.intervalMs,
      onError: (error) => this.logger.warn({ err: error }, 'could not push metrics'),
    });
    this.coalescer = coalescer;
    this.connection = this.connect();
    this.connection.on('error', (error) => this.logger.warn({ err: error }, 'metrics feed redis error'));
    // Ready before SUBSCRIBE: ioredis writes a SUBSCRIBE sent while it connects before its own
    // ready check (INFO), which then fails in subscriber mode and tears the connection down.
    await this.connection.connect();
    // Only today's figures are pushed; a rebuild of a past day changes nothing subscribers see.
    await subscribeToMetricChanges(this.connection, this.prefix, (day) => {
      if (day === utcDay(new Date())) coalescer.notify();
    });
  }

  private async pushToSubscribers(): Promise<void> {
    if (this.subscribers.size === 0) return;
    const metrics = await this.analytics.getMetrics();
    for (const queue of this.subscribers) queue.push(metrics);
  }
}
