/**
 * Scan pipeline speed and memory against a real clamd, PostgreSQL, Redis and local storage:
 *   npx tsx bench/scan-pipeline.bench.ts [--rounds N] [--quick]   (or as part of `npm run bench`)
 *
 * The service runs in processes of its own (`node dist/main.js …`); this process is only its
 * client, as a real one would be, and runs the baseline.
 * 1. End to end, confirm → final subscription event, for a 10 MB file, next to a raw clamd
 *    INSTREAM of the same bytes (the baseline), in the same run. Target: ≤ 1.3×. Measured twice:
 *    one process (npm start: API and worker), and an API process beside a worker process.
 *    The clamd here has its clean-file cache off: it would otherwise recognise bytes it passed
 *    before by their hash and answer without scanning (about half the time of a real scan), so
 *    every run after the first would time a lookup. Real uploads are new bytes.
 * 2. A worker process (node dist/main.js worker) scanning a 1 GiB object: its peak RSS above
 *    its idle RSS, sampled from /proc. Target: ≤ 64 MiB.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClamAvScanner } from '../src/scanners/clamav.scanner';
import { scanTargetFromBuffer } from '../src/scanners/scan-target';
import { collectSubscription } from '../test/helpers/app';
import { ensureClamd } from '../test/helpers/clamd';
import type { ServiceClient } from '../test/helpers/client';
import { deploymentEnv, startDeployment } from '../test/helpers/deployment';
import { AssetDocument, SCAN_STATUS } from '../test/helpers/operations';
import { buildDist } from '../test/helpers/process';
import { confirm, initiate, putBytes } from '../test/helpers/upload';
import { benchMain, type BenchOptions } from './lib/cli';
import { formatNumber, type BenchRow } from './lib/report';
import { median, MiB } from './lib/stats';

const TEN_MB = 10 * 1024 * 1024;
const ONE_GIB = 1024 * 1024 * 1024;

/** Text, so the declared text/plain passes the content check; clamd scans it all the same. */
function textBytes(size: number): Buffer {
  const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n');
  return Buffer.alloc(size, line);
}

/** Milliseconds from sending confirmUpload, and from its answer, to the final event. */
async function endToEnd(app: ServiceClient, body: Buffer): Promise<{ fromSent: number; fromAnswer: number }> {
  const token = app.token('bench');
  const upload = await initiate(app, token, {
    fileName: 'bench.txt',
    fileSize: body.length,
    mimeType: 'text/plain',
  });
  if (!(await putBytes(upload, body)).ok) throw new Error('PUT failed');
  const subscription = collectSubscription<{ assetScanStatus: { final: boolean; scanStatus: string } }>(
    app.ws(token),
    SCAN_STATUS,
    { assetId: upload.assetId },
    60_000,
  );
  while (subscription.events.length === 0) await sleep(5);
  const sentAt = performance.now();
  await confirm(app, token, upload.assetId);
  const answeredAt = performance.now();
  const { events, error } = await subscription.done;
  const finalAt = performance.now();
  if (error || events.at(-1)?.assetScanStatus.scanStatus !== 'CLEAN') {
    throw new Error(`scan did not end CLEAN: ${String(error)} ${JSON.stringify(events.at(-1))}`);
  }
  return { fromSent: finalAt - sentAt, fromAnswer: finalAt - answeredAt };
}

async function rawInstream(port: number, body: Buffer): Promise<number> {
  const scanner = new ClamAvScanner({ host: '127.0.0.1', port });
  const startedAt = performance.now();
  const verdict = await scanner.scan(scanTargetFromBuffer('raw', body));
  if (verdict.outcome !== 'clean') throw new Error(`raw scan: ${JSON.stringify(verdict)}`);
  return performance.now() - startedAt;
}

function benchEnv(clamdPort: number): Promise<Record<string, string>> {
  return deploymentEnv({
    STORAGE_MAX_FILE_SIZE: String(2 * ONE_GIB),
    SCANNER_PROVIDER: 'clamav',
    CLAMAV_PORT: String(clamdPort),
  });
}

interface LatencyFigures {
  raw: number;
  e2e: number;
  afterConfirm: number;
  /** Median of each run's own ratio: a run's pipeline and its raw scan see the same machine. */
  ratio: number;
  afterConfirmRatio: number;
}

/**
 * Median confirm → final event next to median raw INSTREAM, interleaved run by run so both see
 * the same machine. `roles`: ['all'] is `npm start`; ['api', 'worker'] the scaled-out layout.
 */
async function latencyBench(roles: ('all' | 'api' | 'worker')[], runs: number): Promise<LatencyFigures> {
  // Every run scans the same bytes: with the cache on, all but the first would be lookups.
  const clamd = await ensureClamd({ disableCache: true });
  const env = await benchEnv(clamd.port);
  const deployment = await startDeployment(roles, env);
  const { client } = deployment;
  try {
    const body = textBytes(TEN_MB);
    for (let i = 0; i < 2; i++) await endToEnd(client, body); // warm-up: connections, JIT, clamd
    await rawInstream(clamd.port, body);
    const e2e: number[] = [];
    const afterConfirm: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < runs; i++) {
      raw.push(await rawInstream(clamd.port, body));
      const run = await endToEnd(client, body);
      e2e.push(run.fromSent);
      afterConfirm.push(run.fromAnswer);
    }
    return {
      raw: median(raw),
      e2e: median(e2e),
      afterConfirm: median(afterConfirm),
      ratio: median(e2e.map((ms, i) => ms / raw[i])),
      afterConfirmRatio: median(afterConfirm.map((ms, i) => ms / raw[i])),
    };
  } finally {
    await deployment.stop();
    await clamd.stop();
  }
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function memoryBench(): Promise<{ idle: number; peak: number; seconds: number; verdict: string }> {
  // Big enough that clamd reads the whole stream instead of refusing it.
  const clamd = await ensureClamd({ streamMaxLength: '1100M' });
  const env = await benchEnv(clamd.port);
  const deployment = await startDeployment(['api', 'worker'], env);
  const api = deployment.client;
  const pid = deployment.processes[1].child.pid!;
  try {
    await sleep(2000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      idleSamples.push(rssOf(pid));
      await sleep(25);
    }
    const idle = median(idleSamples);

    const token = api.token('big');
    const upload = await initiate(api, token, {
      fileName: 'big.txt',
      fileSize: ONE_GIB,
      mimeType: 'text/plain',
    });
    // The 1 GiB goes in the way a client sends it: streamed PUT to the upload URL.
    const chunk = textBytes(4 * MiB);
    const body = Readable.from(
      (function* () {
        for (let sent = 0; sent < ONE_GIB; sent += chunk.length) yield chunk;
      })(),
    );
    const headers = { 'content-type': 'text/plain', 'content-length': String(ONE_GIB) };
    const put = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers,
      body,
      duplex: 'half',
    } as RequestInit);
    if (!put.ok) throw new Error(`1 GiB PUT failed: ${put.status}`);

    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssOf(pid));
        await sleep(20);
      }
    })();
    const startedAt = performance.now();
    const confirmed = await confirm(api, token, upload.assetId, 'one gibibyte');
    if (confirmed.errors) throw new Error(JSON.stringify(confirmed.errors));
    let asset;
    do {
      await sleep(100);
      asset = (await api.gql(AssetDocument, { id: upload.assetId }, token)).data?.asset;
    } while (asset && asset.status === 'PROCESSING');
    sampling = false;
    await sampler;
    return {
      idle,
      peak,
      seconds: (performance.now() - startedAt) / 1000,
      verdict: `${asset?.status}/${asset?.scanStatus}`,
    };
  } finally {
    await deployment.stop();
    await clamd.stop();
  }
}

export async function runScanPipelineBench(options: BenchOptions): Promise<BenchRow[]> {
  const runs = options.rounds ?? (options.quick ? 7 : 21);
  buildDist();
  const latency = await latencyBench(['all'], runs);
  const split = await latencyBench(['api', 'worker'], runs);
  const memory = await memoryBench();
  const overIdle = (memory.peak - memory.idle) / MiB;
  const ms = (value: number) => `${formatNumber(value, 1)} ms`;
  const latencyRow = (measure: string, figure: number, baseline: number, ratio: number): BenchRow => ({
    bench: 'scan-pipeline',
    measure,
    service: ms(figure),
    reference: `raw clamd INSTREAM ${ms(baseline)}`,
    ratio,
    target: '≤ 1.3×',
    met: ratio <= 1.3,
  });
  return [
    latencyRow(
      '10 MB, one process (`npm start`): confirm sent → final event',
      latency.e2e,
      latency.raw,
      latency.ratio,
    ),
    latencyRow(
      '10 MB, API + worker processes: confirm sent → final event',
      split.e2e,
      split.raw,
      split.ratio,
    ),
    {
      bench: 'scan-pipeline',
      measure: `worker RSS scanning a 1 GiB object, peak above idle (confirm → ${memory.verdict} in ${memory.seconds.toFixed(1)} s)`,
      service: `${formatNumber(overIdle, 1)} MiB (${formatNumber(memory.idle / MiB, 1)} → ${formatNumber(memory.peak / MiB, 1)})`,
      reference: '',
      target: '≤ 64 MiB',
      met: overIdle <= 64,
    },
  ];
}

if (require.main === module) benchMain(runScanPipelineBench);
