/**
 * 10,000 live subscriptions held by one API process:
 *   npx tsx bench/subscribers-10k.bench.ts [--rounds N] [--quick]
 *
 * `node dist/main.js api` (production mode); 10,000 graphql-ws connections from this process,
 * one `assetScanStatus` subscription each, 100 per asset over 100 assets. Reports the API
 * process's RSS idle and while holding them, and publish → delivery p50/p99 when every asset
 * gets an event at once (10,000 deliveries a round). Target: no errors, no dropped events.
 */
import 'reflect-metadata';
import { signToken } from '../src/api/auth';
import { buildDist } from '../test/helpers/process';
import { benchMain, type BenchOptions } from './lib/cli';
import { createAssets, FanoutSide, roundFigures, servicePublisher } from './lib/fanout';
import { startServiceProcess, type BenchProcess } from './lib/processes';
import { formatNumber, type BenchRow } from './lib/report';
import { benchDeployment } from './lib/service-env';
import { median, MiB } from './lib/stats';

const ASSETS = 100;
const PER_ASSET = 100;

export async function runSubscribers10kBench(options: BenchOptions): Promise<BenchRow[]> {
  const rounds = options.rounds ?? (options.quick ? 3 : 9);
  buildDist();
  const deployment = await benchDeployment();
  let service: BenchProcess | undefined;
  let side: FanoutSide | undefined;
  try {
    service = await startServiceProcess('api', deployment.env);
    const token = signToken(deployment.jwtSecret, { userId: 'bench-owner', role: 'USER' });
    const assetIds = await createAssets(service.url, token, ASSETS);
    const idleRss = service.rss();
    side = new FanoutSide('service', servicePublisher(deployment.env.REDIS_PREFIX!), assetIds, PER_ASSET, 0);
    const openedAt = performance.now();
    await side.subscribers.open(service.url.replace(/^http/, 'ws'), token, assetIds, side.count);
    await side.untilAllListen();
    const openSeconds = (performance.now() - openedAt) / 1000;
    await side.round(); // warm-up
    const figures: { p50: number; p99: number }[] = [];
    let dropped = 0;
    for (let round = 0; round < rounds; round++) {
      const result = await side.round(30_000);
      dropped += result.dropped;
      figures.push(roundFigures(result.latencies));
    }
    const heldRss = service.rss();
    const errors = side.subscribers.errors.length + side.subscribers.completed;
    const clean = dropped === 0 && errors === 0;
    const count = formatNumber(side.count);
    return [
      {
        bench: 'subscribers-10k',
        measure: `API process RSS holding ${count} subscriptions (${ASSETS} assets × ${PER_ASSET}; all live after ${openSeconds.toFixed(1)} s)`,
        service: `${formatNumber(heldRss / MiB, 1)} MiB`,
        reference: `idle ${formatNumber(idleRss / MiB, 1)} MiB`,
        target: '',
      },
      {
        bench: 'subscribers-10k',
        measure: `one event to each asset (${count} deliveries), publish → delivery p50 / p99; errors, drops`,
        service: `${formatNumber(median(figures.map((f) => f.p50)), 1)} / ${formatNumber(median(figures.map((f) => f.p99)), 1)} ms; ${errors} errors, ${dropped} dropped`,
        reference: '',
        target: 'no errors, no drops',
        met: clean,
      },
    ];
  } finally {
    await side?.close();
    await service?.stop();
    await deployment.dispose();
  }
}

if (require.main === module) benchMain(runSubscribers10kBench);
