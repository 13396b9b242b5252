import { describe, expect, it } from 'vitest';
import { PushQueue } from '../../src/pubsub/push-queue';

describe('PushQueue', () => {
  it('delivers pushed values in order, then completes after end()', async () => {
    const queue = new PushQueue<number>();
    queue.push(1);
    queue.push(2);
    queue.end();
    const seen: number[] = [];
    for await (const value of queue) seen.push(value);
    expect(seen).toEqual([1, 2]);
  });

  it('return() settles a waiting consumer at once and runs close handlers once', async () => {
    const queue = new PushQueue<number>();
    let closed = 0;
    queue.onClose(() => closed++);
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(3);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });
});
