import net from 'node:net';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectSubscription, type CollectedSubscription } from '../helpers/app';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { serviceClient, type ServiceClient } from '../helpers/client';
import { deploymentEnv, startDeployment, type Deployment } from '../helpers/deployment';
import { SCAN_STATUS } from '../helpers/operations';
import { startOwnPostgres, startOwnRedis, type OwnService } from '../helpers/own-services';
import { freePort } from '../helpers/ports';
import { buildDist, type ServiceProcess } from '../helpers/process';
import { EICAR, waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes, type InitiatedUpload } from '../helpers/upload';

// Fault drills, as an operator would run them, against the service as it runs in production:
// two API processes and one worker (`node dist/main.js`), a PostgreSQL, Redis and clamd of this
// file's own (other ports, so the suite's shared services are never touched), local storage.
// Each drill ends with every asset in its correct final state, nothing unscanned served, every
// live subscriber given its final event, and /readyz having named the failing dependency.

type ScanEvent = { assetScanStatus: { status: string; scanStatus: string; final: boolean } };

let pg: Awaited<ReturnType<typeof startOwnPostgres>>;
let redis: OwnService;
let clamdPort: number;
let clamd: ClamdHandle;
let blackHole: net.Server;
let deployment: Deployment;
let api1: ServiceClient;
let api2: ServiceClient;
let worker: ServiceProcess;
/** Every process this file started, dead or alive: their output is checked at the end. */
const everyProcess: ServiceProcess[] = [];

beforeAll(async () => {
  buildDist();
  [pg, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  clamdPort = await freePort();
  clamd = await ensureClamd({ port: clamdPort });
  // Accepts clamd connections and never answers: the first worker hangs inside its scans.
  blackHole = net.createServer(() => undefined);
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  const env = await deploymentEnv({
    DATABASE_URL: pg.databaseUrl('drills'),
    REDIS_URL: redis.url,
    SCANNER_PROVIDER: 'clamav',
    CLAMAV_PORT: String(clamdPort),
    // A dead worker's job is taken over after this; the retry settings stay the defaults.
    SCAN_LOCK_DURATION_MS: '3000',
    RATE_LIMIT_PER_MINUTE: '0',
  });
  deployment = await startDeployment(['api', 'api'], env);
  worker = await deployment.add('worker', {
    CLAMAV_PORT: String((blackHole.address() as net.AddressInfo).port),
  });
  everyProcess.push(...deployment.processes);
  api1 = deployment.client;
  api2 = serviceClient(deployment.processes[1]!.url!, env.JWT_SECRET);
}, 180_000);

afterAll(async () => {
  // DRILL_LOGS=<dir> keeps each process's output there, to read after a failed drill.
  if (process.env.DRILL_LOGS) {
    const { writeFileSync } = await import('node:fs');
    everyProcess.forEach((p, i) => writeFileSync(`${process.env.DRILL_LOGS}/${i}.log`, p.logs.join('\n')));
  }
  await api2?.closeClients();
  await deployment?.stop();
  blackHole?.close();
  await clamd?.stop();
  await Promise.all([pg?.dispose(), redis?.dispose()]);
});

/** A file this drill uploads: most are clean text, one is EICAR. */
interface Flow {
  upload: InitiatedUpload;
  infected: boolean;
  token: string;
}

async function startFlows(client: ServiceClient, user: string, count: number): Promise<Flow[]> {
  const token = client.token(user);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const infected = i === 0;
      const body = infected ? EICAR : Buffer.from(`${user} file ${i}\n`.repeat(50 + i));
      const upload = await initiate(client, token, {
        fileName: `${user}-${i}.txt`,
        fileSize: body.length,
        mimeType: 'text/plain',
      });
      expect((await putBytes(upload, body)).status).toBe(200);
      return { upload, infected, token };
    }),
  );
}

async function confirmAll(client: ServiceClient, flows: Flow[]): Promise<void> {
  for (const response of await Promise.all(flows.map((f) => confirm(client, f.token, f.upload.assetId)))) {
    expect(response.errors).toBeUndefined();
  }
}

/** Every asset final with its right verdict; a download URL only for what was scanned clean. */
async function expectAllFinal(flows: Flow[], timeoutMs = 60_000): Promise<void> {
  for (const flow of flows) {
    const asset = await waitForAsset(
      api1,
      flow.token,
      flow.upload.assetId,
      (a) => a.status === 'APPROVED' || a.status === 'REJECTED',
      timeoutMs,
    );
    if (flow.infected) {
      expect(asset).toMatchObject({ status: 'REJECTED', scanStatus: 'INFECTED', downloadUrl: null });
    } else {
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
      expect(asset.scanResult?.attempts).toBeLessThanOrEqual(3);
    }
    if (asset.scanStatus !== 'CLEAN') expect(asset.downloadUrl).toBeNull();
  }
}

async function readyz(client: ServiceClient): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL('/readyz', client.url));
  return { status: response.status, body: await response.json() };
}

/** Waits until /readyz of `client`'s process says `expected`. */
async function readinessBecomes(
  client: ServiceClient,
  expected: (ready: { status: number; body: any }) => boolean,
): Promise<void> {
  await vi.waitFor(
    async () => {
      const ready = await readyz(client);
      if (!expected(ready)) throw new Error(`readyz says ${JSON.stringify(ready)}`);
    },
    { timeout: 30_000, interval: 200 },
  );
}

const failing = (name: string) => (ready: { status: number; body: any }) =>
  ready.status === 503 && ready.body.failing?.includes(name);
const ready = (r: { status: number }) => r.status === 200;

function subscribeAll(client: ServiceClient, flows: Flow[]): CollectedSubscription<ScanEvent>[] {
  return flows.map((flow) =>
    collectSubscription<ScanEvent>(
      client.ws(flow.token),
      SCAN_STATUS,
      { assetId: flow.upload.assetId },
      90_000,
    ),
  );
}

async function expectFinalEvents(subscriptions: CollectedSubscription<ScanEvent>[]): Promise<void> {
  for (const subscription of subscriptions) {
    const { events, error } = await subscription.done;
    expect(error).toBeUndefined();
    expect(events.at(-1)?.assetScanStatus.final).toBe(true);
  }
}

async function addWorker(): Promise<void> {
  worker = await deployment.add('worker', { CLAMAV_PORT: String(clamdPort) });
  everyProcess.push(worker);
}

describe('fault drills', { timeout: 120_000 }, () => {
  it('worker SIGKILLed mid-scan: another worker takes the jobs over', async () => {
    const flows = await startFlows(api1, 'drill-kill', 6);
    const watching = subscribeAll(api2, flows);
    await Promise.all(watching.map((s) => s.started));
    await confirmAll(api1, flows);
    // The worker holds three of them inside scans that never end (its clamd never answers).
    await vi.waitFor(
      async () => {
        const states = await Promise.all(
          flows.map((f) => waitForAsset(api1, f.token, f.upload.assetId, () => true)),
        );
        expect(states.filter((a) => a.scanStatus === 'SCANNING').length).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 200 },
    );
    await worker.kill('SIGKILL');
    await addWorker();
    await expectAllFinal(flows);
    await expectFinalEvents(watching);
  });

  it('Redis restarted with scan jobs queued: every asset is re-queued and every subscriber told', async () => {
    const flows = await startFlows(api1, 'drill-redis', 10);
    // The worker takes nothing meanwhile: the jobs are in Redis when it goes.
    worker.child.kill('SIGSTOP');
    try {
      await confirmAll(api1, flows);
      const watching = subscribeAll(api2, flows);
      await Promise.all(watching.map((s) => s.started));
      await redis.stop();
      await readinessBecomes(api1, failing('redis'));
      await redis.start();
      await readinessBecomes(api1, ready);
      worker.child.kill('SIGCONT');
      await expectAllFinal(flows);
      await expectFinalEvents(watching);
    } finally {
      worker.child.kill('SIGCONT');
    }
  });

  it('PostgreSQL restarted: clients get SERVICE_UNAVAILABLE meanwhile, and everything completes', async () => {
    const before = await startFlows(api1, 'drill-pg', 6);
    const watching = subscribeAll(api2, before);
    await Promise.all(watching.map((s) => s.started));
    await confirmAll(api1, before);
    await pg.stop();
    try {
      await readinessBecomes(api2, failing('postgres'));
      const during = await api1.gql(`query { myAssets(first: 1) { totalCount } }`, {}, before[0]!.token);
      expect(during.status).toBe(503);
      expect(during.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await pg.start();
    }
    await readinessBecomes(api2, ready);
    const after = await startFlows(api2, 'drill-pg-after', 4);
    await confirmAll(api2, after);
    await expectAllFinal([...before, ...after]);
    await expectFinalEvents(watching);
  });

  it('clamd stopped for 20 s: scans wait for it, with the default retry settings', async () => {
    await clamd.stop();
    const stoppedAt = Date.now();
    let restarted = false;
    try {
      const flows = await startFlows(api2, 'drill-clamd', 8);
      await confirmAll(api2, flows);
      const watching = subscribeAll(api1, flows.slice(0, 4));
      await vi.waitFor(async () => expect((await readyz(api1)).body.scanner.status).toBe('unavailable'), {
        timeout: 10_000,
        interval: 200,
      });
      await sleep(Math.max(0, 20_000 - (Date.now() - stoppedAt)));
      clamd = await ensureClamd({ port: clamdPort });
      restarted = true;
      await expectAllFinal(flows);
      await expectFinalEvents(watching);
    } finally {
      // Only when the drill failed before restarting it: a second ensureClamd would return a
      // handle that does not own the running clamd, and it would outlive the file.
      if (!restarted) clamd = await ensureClamd({ port: clamdPort });
    }
  });

  it('storage unwritable for a while: SERVICE_UNAVAILABLE, nothing re-created, then everything completes', async () => {
    const root = deployment.env.STORAGE_LOCAL_DIR!;
    const flows = await startFlows(api1, 'drill-storage', 6);
    const watching = subscribeAll(api2, flows);
    await Promise.all(watching.map((s) => s.started));
    const early = flows.slice(0, 3);
    const late = flows.slice(3);
    await confirmAll(api1, early);
    await rename(root, `${root}.away`);
    try {
      await readinessBecomes(api1, failing('storage'));
      expect(existsSync(root)).toBe(false);
      for (const flow of late) {
        const response = await confirm(api2, flow.token, flow.upload.assetId);
        expect(response.status).toBe(503);
        expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      }
      // Neither the probes nor the refused confirms made a fresh, empty root.
      expect(existsSync(root)).toBe(false);
    } finally {
      await rename(`${root}.away`, root);
    }
    await readinessBecomes(api1, ready);
    await confirmAll(api2, late);
    await expectAllFinal(flows);
    await expectFinalEvents(watching);
  });

  it('an API replica killed with subscribers: they reconnect elsewhere, get the current state, then the final event', async () => {
    const flows = await startFlows(api1, 'drill-api', 6);
    worker.child.kill('SIGSTOP');
    const clients: WsClient[] = [];
    try {
      await confirmAll(api1, flows);
      // Connects to API 2 first; every reconnect goes to API 1, as a load balancer would send it.
      const watching = flows.map((flow) => {
        let connects = 0;
        const client = createClient({
          url: () => (connects++ === 0 ? api2.wsUrl : api1.wsUrl),
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${flow.token}` },
          retryAttempts: 20,
          shouldRetry: () => true,
          retryWait: () => sleep(100),
        });
        clients.push(client);
        return collectSubscription<ScanEvent>(client, SCAN_STATUS, { assetId: flow.upload.assetId }, 60_000);
      });
      await Promise.all(watching.map((s) => s.started));
      await deployment.processes[1]!.kill('SIGKILL');
      // Each one sees PROCESSING again from API 1 (the current state), then the rest.
      await vi.waitFor(() => expect(watching.every((s) => s.events.length >= 2)).toBe(true), {
        timeout: 20_000,
        interval: 100,
      });
      worker.child.kill('SIGCONT');
      for (const subscription of watching) {
        const { events, error } = await subscription.done;
        expect(error).toBeUndefined();
        const states = events.map(({ assetScanStatus: e }) => e.status);
        expect(states.slice(0, 2)).toEqual(['PROCESSING', 'PROCESSING']);
        expect(events.at(-1)!.assetScanStatus.final).toBe(true);
      }
      await expectAllFinal(flows);
    } finally {
      worker.child.kill('SIGCONT');
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it('every line every process wrote is JSON (the start-up banner aside)', () => {
    const banner = /^(\s*|\s{2}\S.*)$/;
    const stray = everyProcess.flatMap((process) =>
      process.logs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => !banner.test(line) && !isJson(line)),
    );
    expect(stray).toEqual([]);
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
