import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { MaintenanceJob } from '../../src/jobs/workers';

describe('the cleanup schedule', () => {
  const apps: TestApp[] = [];
  beforeAll(async () => {
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
    await sleep(4500);
    const queue = apps[0].services.queues.cleanup;
    const jobs = (await queue.getJobs(['completed', 'active', 'waiting', 'delayed'])).filter(
      (job) => job.name === MaintenanceJob.Cleanup,
    );
    const ran = jobs.filter((job) => job.finishedOn);
    expect(ran.length).toBeGreaterThanOrEqual(3);
    expect(ran.length).toBeLessThanOrEqual(6);
    const ticks = ran.map((job) => Math.floor((job.timestamp + (job.opts.delay ?? 0)) / 1000));
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ran.every((job) => job.returnvalue && job.returnvalue.dryRun === false)).toBe(true);
  });
});
