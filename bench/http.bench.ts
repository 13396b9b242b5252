/**
 * HTTP cost of the service against references measured in the same run:
 *   npx tsx bench/http.bench.ts [--rounds N] [--quick]
 *
 * The service runs as `node dist/main.js api` (NODE_ENV=production, rate limit off, s3 provider
 * on s3rver); autocannon (10 connections) drives it from this process. Each round measures, in
 * rotating order:
 * - `{ __typename }` on a bare Apollo Server 5 standalone server (bench/reference/),
 * - the same query on the service, with a bearer token,
 * - `initiateUpload` on the service (a row, a presigned URL, an analytics event per request).
 * Ratios are medians of per-round ratios, so a noisy moment hits both sides of a ratio.
 * Targets: trivial ≥ 0.60× bare Apollo; initiateUpload ≥ 0.40× the service's own trivial.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { signToken } from '../src/api/auth';
import { INITIATE } from '../test/helpers/operations';
import { buildDist } from '../test/helpers/process';
import { benchMain, type BenchOptions } from './lib/cli';
import { startReferenceProcess, startServiceProcess, type BenchProcess } from './lib/processes';
import { formatNumber, type BenchRow } from './lib/report';
import { benchDeployment } from './lib/service-env';
import { median, roundOrder } from './lib/stats';

const CONNECTIONS = 10;
const TRIVIAL = JSON.stringify({ query: '{ __typename }' });
const INITIATE_BODY = JSON.stringify({
  query: INITIATE,
  variables: { input: { fileName: 'photo.jpg', fileSize: 123_456, mimeType: 'image/jpeg' } },
});

interface Target {
  name: 'apollo' | 'trivial' | 'initiate';
  url: string;
  server: BenchProcess;
  body: string;
  headers: Record<string, string>;
  /** True when one response shows the request did what it should. */
  check(body: any): boolean;
}

interface LoadResult {
  rps: number;
  p99: number;
  /** The server process's CPU time per request: steadier than req/s when other work shares the cores. */
  cpuMicrosPerRequest: number;
}

/** Requests per second over `seconds`; throws on any error or non-2xx answer (a wrong figure otherwise). */
async function load(target: Target, seconds: number): Promise<LoadResult> {
  const cpuBefore = target.server.cpuMicros();
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuMicrosPerRequest: (target.server.cpuMicros() - cpuBefore) / result.requests.total,
  };
}

async function verify(target: Target): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const body = await response.json();
  if (!response.ok || !target.check(body)) {
    throw new Error(`${target.name} answered ${response.status} ${JSON.stringify(body)}`);
  }
}

export async function runHttpBench(options: BenchOptions): Promise<BenchRow[]> {
  const rounds = options.rounds ?? (options.quick ? 2 : 5);
  const seconds = options.quick ? 3 : 5;
  buildDist();
  const deployment = await benchDeployment();
  const started: BenchProcess[] = [];
  try {
    const service = await startServiceProcess('api', deployment.env);
    started.push(service);
    const apollo = await startReferenceProcess('apollo-standalone.ts', {});
    started.push(apollo);
    const token = signToken(deployment.jwtSecret, { userId: 'bench-user', role: 'USER' });
    const json = { 'content-type': 'application/json' };
    const authed = { ...json, authorization: `Bearer ${token}` };
    const targets: Target[] = [
      {
        name: 'apollo',
        url: apollo.url,
        server: apollo,
        body: TRIVIAL,
        headers: json,
        check: (b) => b.data?.__typename === 'Query',
      },
      {
        name: 'trivial',
        url: service.url,
        server: service,
        body: TRIVIAL,
        headers: authed,
        check: (b) => b.data?.__typename === 'Query',
      },
      {
        name: 'initiate',
        url: service.url,
        server: service,
        body: INITIATE_BODY,
        headers: authed,
        check: (b) => typeof b.data?.initiateUpload?.uploadUrl === 'string',
      },
    ];
    for (const target of targets) {
      await verify(target);
      await load(target, 2); // warm-up: JIT, connection pools, the presigner's endpoint
    }
    const figures = { apollo: [] as number[], trivial: [] as number[], initiate: [] as number[] };
    const p99 = { apollo: [] as number[], trivial: [] as number[], initiate: [] as number[] };
    const cpu = { apollo: [] as number[], trivial: [] as number[], initiate: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const result = await load(target, seconds);
        figures[target.name].push(result.rps);
        p99[target.name].push(result.p99);
        cpu[target.name].push(result.cpuMicrosPerRequest);
      }
      console.log(
        `round ${round + 1}/${rounds}: apollo ${figures.apollo.at(-1)!.toFixed(0)}, trivial ${figures.trivial.at(-1)!.toFixed(0)}, initiate ${figures.initiate.at(-1)!.toFixed(0)} req/s`,
      );
    }
    const trivialRatio = median(figures.trivial.map((rps, i) => rps / figures.apollo[i]!));
    const initiateRatio = median(figures.initiate.map((rps, i) => rps / figures.trivial[i]!));
    const rate = (name: keyof typeof figures) =>
      `${formatNumber(median(figures[name]))} req/s (p99 ${formatNumber(median(p99[name]))} ms; ${formatNumber(median(cpu[name]))} µs CPU/req)`;
    return [
      {
        bench: 'http',
        measure: '`{ __typename }` with a bearer token vs bare Apollo Server 5 standalone',
        service: rate('trivial'),
        reference: rate('apollo'),
        ratio: trivialRatio,
        target: '≥ 0.60×',
        met: trivialRatio >= 0.6,
      },
      {
        bench: 'http',
        measure: "`initiateUpload` (s3 provider, s3rver) vs the service's own `{ __typename }`",
        service: rate('initiate'),
        reference: rate('trivial'),
        ratio: initiateRatio,
        target: '≥ 0.40×',
        met: initiateRatio >= 0.4,
      },
    ];
  } finally {
    await Promise.all(started.map((process) => process.stop()));
    await deployment.dispose();
  }
}

if (require.main === module) benchMain(runHttpBench);
