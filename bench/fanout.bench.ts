/**
 * Subscription fan-out against a bare graphql-ws + graphql-redis-subscriptions server measured
 * in the same run:   npx tsx bench/fanout.bench.ts [--rounds N] [--quick]
 *
 * 1,000 `assetScanStatus` subscribers of one asset on the service (`node dist/main.js api`,
 * production mode) and 1,000 on the reference (bench/reference/graphql-ws-redis.ts), all graphql-ws
 * clients in this process. Each round publishes one event to each server's channel, in rotating
 * order, and times publish → every subscriber's `next`. Ratios are medians of per-round ratios.
 * Targets: p50 ≤ 1.2× and p99 ≤ 1.3× the reference.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { signToken } from '../src/api/auth';
import { buildDist } from '../test/helpers/process';
import { benchMain, type BenchOptions } from './lib/cli';
import { createAssets, FanoutSide, referencePublisher, roundFigures, servicePublisher } from './lib/fanout';
import { startReferenceProcess, startServiceProcess, type BenchProcess } from './lib/processes';
import { formatNumber, type BenchRow } from './lib/report';
import { benchDeployment } from './lib/service-env';
import { median, roundOrder } from './lib/stats';

const SUBSCRIBERS = 1000;

export async function runFanoutBench(options: BenchOptions): Promise<BenchRow[]> {
  const rounds = options.rounds ?? (options.quick ? 5 : 21);
  buildDist();
  const deployment = await benchDeployment();
  const referencePrefix = `benchref${randomBytes(4).toString('hex')}`;
  const started: BenchProcess[] = [];
  const sides: FanoutSide[] = [];
  try {
    const service = await startServiceProcess('api', deployment.env);
    started.push(service);
    const reference = await startReferenceProcess('graphql-ws-redis.ts', { REDIS_PREFIX: referencePrefix });
    started.push(reference);
    const token = signToken(deployment.jwtSecret, { userId: 'bench-owner', role: 'USER' });
    const [assetId] = await createAssets(service.url, token, 1);

    const serviceSide = new FanoutSide(
      'service',
      servicePublisher(deployment.env.REDIS_PREFIX!),
      [assetId!],
      SUBSCRIBERS,
      0,
    );
    const referenceSide = new FanoutSide(
      'reference',
      referencePublisher(referencePrefix),
      [assetId!],
      SUBSCRIBERS,
      0,
    );
    sides.push(serviceSide, referenceSide);
    await serviceSide.subscribers.open(service.url.replace(/^http/, 'ws'), token, [assetId!], SUBSCRIBERS);
    await referenceSide.subscribers.open(reference.url.replace(/^http/, 'ws'), null, [assetId!], SUBSCRIBERS);
    for (const side of sides) {
      await side.untilAllListen();
      for (let i = 0; i < 3; i++) await side.round(); // warm-up
    }

    const figures = new Map(sides.map((side) => [side, [] as { p50: number; p99: number }[]]));
    let dropped = 0;
    for (let round = 0; round < rounds; round++) {
      for (const side of roundOrder(sides, round)) {
        const result = await side.round();
        dropped += result.dropped;
        figures.get(side)!.push(roundFigures(result.latencies));
      }
    }
    const serviceFigures = figures.get(serviceSide)!;
    const referenceFigures = figures.get(referenceSide)!;
    const errors = serviceSide.subscribers.errors.length + referenceSide.subscribers.errors.length;
    if (dropped > 0 || errors > 0) throw new Error(`fan-out: ${dropped} events dropped, ${errors} errors`);
    const row = (which: 'p50' | 'p99', target: number): BenchRow => {
      const ratio = median(serviceFigures.map((f, i) => f[which] / referenceFigures[i]![which]));
      return {
        bench: 'fanout',
        measure: `${formatNumber(SUBSCRIBERS)} subscribers of one asset, publish → delivery ${which}, vs bare graphql-ws + Redis`,
        service: `${formatNumber(median(serviceFigures.map((f) => f[which])), 1)} ms`,
        reference: `${formatNumber(median(referenceFigures.map((f) => f[which])), 1)} ms`,
        ratio,
        target: `≤ ${target.toFixed(1)}×`,
        met: ratio <= target,
      };
    };
    return [row('p50', 1.2), row('p99', 1.3)];
  } finally {
    await Promise.all(sides.map((side) => side.close()));
    await Promise.all(started.map((process) => process.stop()));
    await deployment.dispose();
  }
}

if (require.main === module) benchMain(runFanoutBench);
