import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { MaintenanceJob } from '../../src/jobs/queues';

describe('the cleanup schedule', () => {
  const apps: TestApp[] = [];
  let schedulingSince = 0;
  beforeAll(async () => {
    schedulingSince = Date.now();
    // Two worker processes' worth of schedulers and workers on one deployment, ticking every second.
    const first = await startTestApp({ api: false, workers: true, env: { CLEANUP_CRON: '* * * * * *' } });
    apps.push(first);
    apps.push(
      await startTestApp({
        api: false,
        workers: true,
        databaseUrl: first.databaseUrl,
        redisPrefix: first.services.config.redis.prefix,
        env: { CLEANUP_CRON: '* * * * * *' },
      }),
    );
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  it('runs once per tick however many workers are scheduling and consuming it', async () => {
    const queue = apps[0].services.queues.cleanup;
    const finishedRuns = async () =>
      (await queue.getJobs(['completed'])).filter((job) => job.name === MaintenanceJob.Cleanup);
    // Polled rather than slept: a loaded machine may start the first tick late.
    const ran = await vi.waitFor(
      async () => {
        const runs = await finishedRuns();
        expect(runs.length).toBeGreaterThanOrEqual(3);
        return runs;
      },
      { timeout: 20_000, interval: 250 },
    );
    const elapsedSeconds = (Date.now() - schedulingSince) / 1000;

    // Two schedulers must not double the runs: at most one per second elapsed.
    expect(ran.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    const ticks = ran.map((job) => Math.floor((job.timestamp + (job.opts.delay ?? 0)) / 1000));
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ran.every((job) => job.returnvalue && job.returnvalue.dryRun === false)).toBe(true);
  });
});
