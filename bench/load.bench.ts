/**
 * The whole flow under load:
 *   npx tsx bench/load.bench.ts [--quick]   (or as part of `npm run bench`)
 *
 * 200 clients at once (50 with --quick), each a user of its own, each running the whole flow
 * against two API processes and one worker (`node dist/main.js`, real PostgreSQL, Redis, clamd
 * and local storage): initiate on one API, PUT, subscribe to its scan status on the other API,
 * confirm, wait for the final event. One upload in twenty is EICAR and must end INFECTED; every
 * other one CLEAN. Limits stay the defaults: the only error allowed is RATE_LIMITED.
 * Reports throughput (flows per second, first initiate to last final event) and confirm → final
 * event latency (p50, p99).
 */
import 'reflect-metadata';
import { collectSubscription } from '../test/helpers/app';
import { ensureClamd } from '../test/helpers/clamd';
import { serviceClient, type ServiceClient } from '../test/helpers/client';
import { deploymentEnv, startDeployment } from '../test/helpers/deployment';
import { SCAN_STATUS } from '../test/helpers/operations';
import { buildDist } from '../test/helpers/process';
import { EICAR } from '../test/helpers/scan';
import { confirm, initiate, putBytes } from '../test/helpers/upload';
import { benchMain, type BenchOptions } from './lib/cli';
import { formatNumber, type BenchRow } from './lib/report';
import { percentile } from './lib/stats';

type ScanEvent = { assetScanStatus: { status: string; scanStatus: string; final: boolean } };

interface FlowResult {
  /** Milliseconds from sending confirmUpload to the final event. */
  confirmToFinal: number;
  infected: boolean;
  finalScanStatus: string;
  /** Error codes met on the way (RATE_LIMITED only, if any). */
  errors: string[];
}

async function flow(
  first: ServiceClient,
  second: ServiceClient,
  user: string,
  infected: boolean,
): Promise<FlowResult> {
  const token = first.token(user);
  const body = infected ? EICAR : Buffer.from(`load flow of ${user}\n`.repeat(200));
  const upload = await initiate(first, token, {
    fileName: `${user}.txt`,
    fileSize: body.length,
    mimeType: 'text/plain',
  });
  const put = await putBytes(upload, body);
  if (!put.ok) throw new Error(`PUT of ${user}: ${put.status}`);
  const subscription = collectSubscription<ScanEvent>(
    second.ws(token),
    SCAN_STATUS,
    { assetId: upload.assetId },
    120_000,
  );
  await subscription.started;
  const sentAt = performance.now();
  const errors: string[] = [];
  for (;;) {
    const response = await confirm(first, token, upload.assetId);
    const code = response.errors?.[0]?.extensions?.code as string | undefined;
    if (!code) break;
    errors.push(code);
    if (code !== 'RATE_LIMITED') throw new Error(`confirm of ${user}: ${JSON.stringify(response.errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const { events, error } = await subscription.done;
  const finalAt = performance.now();
  const last = events.at(-1)?.assetScanStatus;
  if (error || !last?.final) throw new Error(`no final event for ${user}: ${String(error)}`);
  return { confirmToFinal: finalAt - sentAt, infected, finalScanStatus: last.scanStatus, errors };
}

async function runLoad(options: BenchOptions): Promise<BenchRow[]> {
  const clients = options.quick ? 50 : 200;
  buildDist();
  const clamd = await ensureClamd();
  const env = await deploymentEnv({
    NODE_ENV: 'production',
    SCANNER_PROVIDER: 'clamav',
    CLAMAV_PORT: String(clamd.port),
  });
  const deployment = await startDeployment(['api', 'api', 'worker'], env);
  const apis = deployment.processes
    .filter((process) => process.url)
    .map((process) => serviceClient(process.url!, env.JWT_SECRET));
  try {
    const startedAt = performance.now();
    const results = await Promise.all(
      Array.from({ length: clients }, (_, i) =>
        flow(apis[i % 2]!, apis[(i + 1) % 2]!, `load-user-${i}`, i % 20 === 0),
      ),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const wrong = results.filter((r) => r.finalScanStatus !== (r.infected ? 'INFECTED' : 'CLEAN'));
    if (wrong.length > 0) throw new Error(`${wrong.length} flows ended with the wrong verdict`);
    const latencies = results.map((r) => r.confirmToFinal);
    const rateLimited = results.reduce((sum, r) => sum + r.errors.length, 0);
    const label = `${clients} clients, 2 APIs + 1 worker`;
    return [
      {
        bench: 'load',
        measure: `whole flows per second (${label})`,
        service: `${formatNumber(clients / seconds, 1)} flows/s`,
        reference: '',
        target: '',
      },
      {
        bench: 'load',
        measure: 'confirm → final event, p50',
        service: `${formatNumber(percentile(latencies, 50))} ms`,
        reference: '',
        target: '',
      },
      {
        bench: 'load',
        measure: 'confirm → final event, p99',
        service: `${formatNumber(percentile(latencies, 99))} ms`,
        reference: '',
        target: '',
      },
      {
        bench: 'load',
        measure: 'flows ending right (CLEAN, EICAR INFECTED); errors other than RATE_LIMITED',
        service: `${results.length - wrong.length} / ${clients}; ${rateLimited} RATE_LIMITED, 0 other`,
        reference: '',
        target: 'all',
        met: wrong.length === 0,
      },
    ];
  } finally {
    await Promise.all(apis.map((api) => api.closeClients()));
    await deployment.stop();
    await clamd.stop();
  }
}

benchMain(runLoad);
