/**
 * A 2 GiB multipart upload through the service, local provider, real clamd, PostgreSQL, Redis:
 *   npx tsx bench/multipart.bench.ts   (or `npm run bench -- --only multipart`)
 *
 * The service runs as an API process beside a worker process (`node dist/main.js …`); this
 * process is its client. 256 parts of 8 MiB are PUT four at a time to their part URLs (served by
 * the API process, each streamed to disk), then confirmUpload assembles them (by streaming, in
 * the API process) and the worker scans the whole object with clamd (INSTREAM, streamed).
 * Measured: each process's peak RSS above its idle RSS, sampled from /proc (target ≤ 64 MiB:
 * no part and no object is ever held in memory), and the times next to a raw write and a raw
 * copy of the same bytes on the same disk. One run: each takes about a minute.
 */
import 'reflect-metadata';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureClamd } from '../test/helpers/clamd';
import { deploymentEnv, startDeployment } from '../test/helpers/deployment';
import { initiateMultipart, partUrls, putPart, type PartUrl } from '../test/helpers/multipart';
import { AssetDocument } from '../test/helpers/operations';
import { buildDist } from '../test/helpers/process';
import { confirm } from '../test/helpers/upload';
import { benchMain, type BenchOptions } from './lib/cli';
import { rssOf } from './lib/processes';
import { formatNumber, type BenchRow } from './lib/report';
import { median, MiB } from './lib/stats';

const GiB = 1024 * MiB;
const FILE_SIZE = 2 * GiB;
const PART_SIZE = 8 * MiB;
const PARTS_AT_ONCE = 4;

/** Text, so the declared text/plain passes the content check; clamd scans it all the same. */
function textBytes(size: number): Buffer {
  return Buffer.alloc(size, Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n'));
}

/** Samples the peak RSS of some processes until stopped. */
function rssSampler(pids: number[]): { stop(): Promise<number[]> } {
  const peaks = pids.map(rssOf);
  let running = true;
  const loop = (async () => {
    while (running) {
      pids.forEach((pid, i) => (peaks[i] = Math.max(peaks[i]!, rssOf(pid))));
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}

async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(rssOf(pid));
    await sleep(25);
  }
  return median(samples);
}

/** The same bytes written, then copied, on the disk the service stores on (the baseline). */
async function rawWriteAndCopy(
  dir: string,
  part: Buffer,
  parts: number,
): Promise<{ write: number; copy: number }> {
  const source = path.join(dir, 'raw-source');
  const startedAt = performance.now();
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < parts; i++) yield part;
      })(),
    ),
    createWriteStream(source),
  );
  const wroteAt = performance.now();
  await pipeline(
    createReadStream(source, { highWaterMark: MiB }),
    createWriteStream(path.join(dir, 'raw-copy')),
  );
  const copiedAt = performance.now();
  await rm(dir, { recursive: true, force: true });
  return { write: wroteAt - startedAt, copy: copiedAt - wroteAt };
}

async function sendAll(
  urls: PartUrl[],
  part: Buffer,
  last: Buffer,
  partCount: number,
): Promise<Map<number, string>> {
  const etags = new Map<number, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARTS_AT_ONCE }, async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        const response = await putPart(url, url.partNumber === partCount ? last : part);
        if (!response.ok)
          throw new Error(`part ${url.partNumber}: ${response.status} ${await response.text()}`);
        etags.set(url.partNumber, response.headers.get('etag')!);
      }
    }),
  );
  return etags;
}

export async function runMultipartBench(_options: BenchOptions): Promise<BenchRow[]> {
  buildDist();
  const clamd = await ensureClamd({ streamMaxLength: '2100M', scanLimit: '2100M' });
  const env = await deploymentEnv({
    STORAGE_MAX_FILE_SIZE: String(3 * GiB),
    SCANNER_PROVIDER: 'clamav',
    CLAMAV_PORT: String(clamd.port),
    CLAMAV_TIMEOUT_MS: '300000',
  });
  const deployment = await startDeployment(['api', 'worker'], env);
  const client = deployment.client;
  const [apiPid, workerPid] = deployment.processes.map((process) => process.child.pid!) as [number, number];
  try {
    await sleep(2000);
    const [apiIdle, workerIdle] = [await idleRss(apiPid), await idleRss(workerPid)];
    const token = client.token('bench-multipart');
    const upload = await initiateMultipart(client, token, {
      fileName: 'two-gib.txt',
      fileSize: FILE_SIZE,
      mimeType: 'text/plain',
      partSize: PART_SIZE,
    });
    const numbers = Array.from({ length: upload.partCount }, (_, i) => i + 1);
    const urls: PartUrl[] = [];
    for (let i = 0; i < numbers.length; i += 100) {
      urls.push(...(await partUrls(client, token, upload.assetId, numbers.slice(i, i + 100))));
    }
    const part = textBytes(PART_SIZE);
    const last = part.subarray(0, FILE_SIZE - PART_SIZE * (upload.partCount - 1));

    const sampler = rssSampler([apiPid, workerPid]);
    const putStarted = performance.now();
    const etags = await sendAll(urls, part, last, upload.partCount);
    const putSeconds = (performance.now() - putStarted) / 1000;
    const confirmStarted = performance.now();
    const confirmed = await confirm(client, token, upload.assetId, 'two gibibytes', {
      parts: [...etags].map(([partNumber, etag]) => ({ partNumber, etag })),
    });
    if (confirmed.errors) throw new Error(JSON.stringify(confirmed.errors));
    const assembleSeconds = (performance.now() - confirmStarted) / 1000;
    let asset;
    do {
      await sleep(100);
      asset = (await client.gql(AssetDocument, { id: upload.assetId }, token)).data?.asset;
    } while (asset && asset.status === 'PROCESSING');
    const totalSeconds = (performance.now() - confirmStarted) / 1000;
    const [apiPeak, workerPeak] = await sampler.stop();
    if (asset?.scanStatus !== 'CLEAN')
      throw new Error(`2 GiB upload ended ${asset?.status}/${asset?.scanStatus}`);

    const raw = await rawWriteAndCopy(
      await mkdtemp(path.join(env.STORAGE_LOCAL_DIR ?? os.tmpdir(), 'raw-')),
      part,
      upload.partCount,
    );
    const seconds = (value: number) => `${formatNumber(value, 1)} s`;
    const mib = (value: number) => `${formatNumber(value / MiB, 1)} MiB`;
    const apiGrowth = apiPeak! - apiIdle;
    const workerGrowth = workerPeak! - workerIdle;
    return [
      {
        bench: 'multipart',
        measure: `2 GiB: ${upload.partCount} part PUTs of 8 MiB, ${PARTS_AT_ONCE} at once, through the API (local provider)`,
        service: seconds(putSeconds),
        reference: `raw write ${seconds(raw.write / 1000)}`,
        ratio: putSeconds / (raw.write / 1000),
        target: '',
      },
      {
        bench: 'multipart',
        measure: 'confirmUpload: assemble the 256 parts (streamed) and check the object',
        service: seconds(assembleSeconds),
        reference: `raw copy ${seconds(raw.copy / 1000)}`,
        ratio: assembleSeconds / (raw.copy / 1000),
        target: '',
      },
      {
        bench: 'multipart',
        measure: 'confirm sent → CLEAN (assembly + clamd scan of 2 GiB)',
        service: seconds(totalSeconds),
        reference: `raw copy ${seconds(raw.copy / 1000)}`,
        ratio: totalSeconds / (raw.copy / 1000),
        target: '',
      },
      {
        bench: 'multipart',
        measure: 'API process RSS receiving the parts and assembling, peak above idle',
        service: `${mib(apiGrowth)} (${mib(apiIdle)} → ${mib(apiPeak!)})`,
        reference: '',
        target: '≤ 64 MiB',
        met: apiGrowth <= 64 * MiB,
      },
      {
        bench: 'multipart',
        measure: 'worker RSS scanning the 2 GiB object, peak above idle',
        service: `${mib(workerGrowth)} (${mib(workerIdle)} → ${mib(workerPeak!)})`,
        reference: '',
        target: '≤ 64 MiB',
        met: workerGrowth <= 64 * MiB,
      },
    ];
  } finally {
    await deployment.stop();
    await clamd.stop();
  }
}

if (require.main === module) benchMain(runMultipartBench);
