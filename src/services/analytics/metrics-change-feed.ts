import type { RedisClient } from '../../pubsub/redis-client';
import { AnalyticsKeys } from './analytics-keys';

/**
 * Calls `onChange(day)` whenever any process counts an upload event or rebuilds a day under
 * `prefix` (duplicates, which change nothing, publish nothing). Events are tracked by workers and API replicas alike,
 * so Redis pub/sub is what tells every replica that today's metrics moved; feed it into a
 * {@link MetricsPushCoalescer} before pushing to subscribers.
 *
 * `subscriber` must be a connection of its own: a subscribed ioredis client can run nothing else.
 * Resolves once subscribed, with a function that unsubscribes.
 */
export async function subscribeToMetricChanges(
  subscriber: RedisClient,
  prefix: string,
  onChange: (day: string) => void,
): Promise<() => Promise<void>> {
  const channel = new AnalyticsKeys(prefix).metricsChangedChannel();
  const listener = (receivedOn: string, day: string) => {
    if (receivedOn === channel) onChange(day);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(channel);
  };
}
