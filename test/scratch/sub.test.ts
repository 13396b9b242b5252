import { it } from 'vitest';
import { Redis } from 'ioredis';
import { startOwnRedis } from '../helpers/own-services';
it('sub', async () => {
  const r = await startOwnRedis();
  const sub = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 5000) });
  sub.on('error', (e) => console.log('error event', e.message));
  sub.on('ready', () => { console.log('ready'); void sub.ping().then((p) => console.log('ping', p), (e) => console.log('ping err', e.message)); });
  process.on('unhandledRejection', (e) => console.log('UNHANDLED', (e as Error).message));
  await sub.subscribe('a');
  await r.stop(); await new Promise((res) => setTimeout(res, 500)); await r.start();
  await new Promise((res) => setTimeout(res, 3000));
  sub.disconnect(); await r.dispose();
}, 30000);
