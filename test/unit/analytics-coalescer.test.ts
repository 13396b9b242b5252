import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsPushCoalescer } from '../../src/services/analytics/metrics-push-coalescer';

// Real timers, on purpose: the point is how often pushes happen in wall-clock time.
const open: MetricsPushCoalescer[] = [];
afterEach(() => {
  for (const coalescer of open.splice(0)) coalescer.close();
});

function track(intervalMs?: number) {
  const calls: number[] = [];
  const coalescer = new MetricsPushCoalescer(() => void calls.push(Date.now()), { intervalMs });
  open.push(coalescer);
  return { calls, coalescer };
}

describe('MetricsPushCoalescer', () => {
  it('turns 1,000 notifications within a second into a handful of calls, the first at once', async () => {
    const { calls, coalescer } = track();
    const started = Date.now();
    // Ten bursts of 100, 80 ms apart: 1,000 notifications over about 0.75 s.
    for (let burst = 0; burst < 10; burst += 1) {
      for (let i = 0; i < 100; i += 1) coalescer.notify();
      await sleep(80);
    }
    const burstsMs = Date.now() - started;
    await sleep(600);

    expect(calls.length).toBeGreaterThanOrEqual(2);
    // One call per 250 ms interval the bursts spanned, and the trailing one; a loaded machine
    // stretches the bursts, so the bound follows their measured length (about 0.75 s: 5 calls).
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(burstsMs / 250) + 1);
    expect(calls[0]! - started).toBeLessThan(1000);
    // Never two calls closer than the interval (less a little timer jitter).
    for (let i = 1; i < calls.length; i += 1) expect(calls[i]! - calls[i - 1]!).toBeGreaterThanOrEqual(240);
  });

  it('calls once more after a burst, so the last change is pushed', async () => {
    const { calls, coalescer } = track(50);
    coalescer.notify();
    coalescer.notify();
    coalescer.notify();
    expect(calls).toHaveLength(1);
    await sleep(120);
    expect(calls).toHaveLength(2);
    await sleep(100);
    expect(calls).toHaveLength(2);
  });

  it('calls nothing after close', async () => {
    const { calls, coalescer } = track(50);
    coalescer.notify();
    coalescer.notify();
    coalescer.close();
    coalescer.notify();
    await sleep(120);
    expect(calls).toHaveLength(1);
  });

  it('hands errors from onChange to onError instead of throwing them', async () => {
    const errors: unknown[] = [];
    const failing = new MetricsPushCoalescer(
      () => {
        throw new Error('sync');
      },
      { intervalMs: 20, onError: (error) => errors.push(error) },
    );
    const rejecting = new MetricsPushCoalescer(() => Promise.reject(new Error('async')), {
      intervalMs: 20,
      onError: (error) => errors.push(error),
    });
    open.push(failing, rejecting);
    expect(() => failing.notify()).not.toThrow();
    rejecting.notify();
    await sleep(10);
    expect(errors.map((error) => (error as Error).message).sort()).toEqual(['async', 'sync']);
  });

  it('refuses a non-positive interval', () => {
    expect(() => new MetricsPushCoalescer(() => undefined, { intervalMs: 0 })).toThrow(RangeError);
  });
});
