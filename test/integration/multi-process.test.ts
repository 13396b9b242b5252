import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/api/auth';
import { dropDatabase, freshDatabaseUrl, TEST_JWT_SECRET } from '../helpers/app';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { ASSET, CONFIRM, INITIATE, SCAN_STATUS } from '../helpers/operations';
import { buildDist, startServiceProcess, type ServiceProcess } from '../helpers/process';

/** A deployment's shared settings: one database, one Redis prefix, one storage directory. */
async function deploymentEnv(): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: freshDatabaseUrl(),
    REDIS_PREFIX: `mp${randomBytes(4).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_LOCAL_DIR: await mkdtemp(path.join(os.tmpdir(), 'upl-mp-')),
    SCAN_BACKOFF_MS: '200',
  };
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function initiateAndPut(apiUrl: string, token: string, body: Buffer): Promise<string> {
  const { data } = await gql(apiUrl, INITIATE, { input: { fileName: 'f.txt', fileSize: body.length, mimeType: 'text/plain' } }, token);
  const upload = data.initiateUpload;
  const headers = Object.fromEntries(Object.entries(upload.uploadHeaders as Record<string, string>).filter(([h]) => h.toLowerCase() !== 'content-length'));
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers, body });
  expect(put.ok).toBe(true);
  return upload.assetId;
}

async function waitForStatus(apiUrl: string, token: string, assetId: string, done: (asset: any) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asset = (await gql(apiUrl, ASSET, { id: assetId }, token)).data?.asset;
    if (asset && done(asset)) return asset;
    if (Date.now() > deadline) throw new Error(`asset did not settle: ${JSON.stringify(asset)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('several processes of one deployment', () => {
  const started: ServiceProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(() => buildDist(), 120_000);
  afterAll(async () => {
    await Promise.all(started.map((p) => p.kill('SIGKILL')));
    for (const cleanup of cleanups) await cleanup();
  });

  async function deployment() {
    const env = await deploymentEnv();
    cleanups.push(async () => {
      await dropDatabase(env.DATABASE_URL);
      await rm(env.STORAGE_LOCAL_DIR, { recursive: true, force: true });
    });
    return env;
  }

  async function start(role: 'api' | 'worker', env: Record<string, string>) {
    const process = await startServiceProcess(role, env);
    started.push(process);
    return process;
  }

  it('a subscriber on API 2 receives every event of an upload confirmed through API 1', async () => {
    const env = await deployment();
    const api1 = await start('api', env);
    const api2 = await start('api', env);
    await start('worker', { ...env, SCANNER_PROVIDER: 'signature' });
    const token = signToken(TEST_JWT_SECRET, { userId: 'fan-out', role: 'USER' });

    const assetId = await initiateAndPut(api1.url!, token, Buffer.from('hello from api 1\n'));
    const client = createClient({
      url: api2.url!.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const events: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: SCAN_STATUS, variables: { assetId } },
        { next: (r) => events.push(r.data?.assetScanStatus ?? r.errors), error: reject, complete: resolve },
      );
    });
    while (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const confirmed = await gql(api1.url!, CONFIRM, { input: { assetId, title: 'fan-out' } }, token);
    expect(confirmed.errors).toBeUndefined();
    await done;
    await client.dispose();
    expect(events.map((e) => `${e.status}/${e.scanStatus}${e.final ? '!' : ''}`)).toEqual([
      'DRAFT/PENDING',
      'PROCESSING/PENDING',
      'PROCESSING/SCANNING',
      'APPROVED/CLEAN!',
    ]);
  });

  describe('a worker killed mid-scan', () => {
    let clamd: ClamdHandle;
    let blackHole: net.Server;
    beforeAll(async () => {
      clamd = await ensureClamd();
      // Accepts clamd connections and never answers: the first worker hangs inside its scan.
      blackHole = net.createServer(() => undefined);
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      blackHole?.close();
      await clamd?.stop();
    });

    it('is replaced: another worker completes the asset and none stays SCANNING', async () => {
      const env = { ...(await deployment()), SCANNER_PROVIDER: 'clamav', SCAN_LOCK_DURATION_MS: '2000' };
      const api = await start('api', env);
      const doomed = await start('worker', { ...env, CLAMAV_PORT: String((blackHole.address() as net.AddressInfo).port) });
      const token = signToken(TEST_JWT_SECRET, { userId: 'kill-test', role: 'USER' });

      const assetId = await initiateAndPut(api.url!, token, Buffer.from('scan me, whoever survives\n'));
      await gql(api.url!, CONFIRM, { input: { assetId, title: 'survivor' } }, token);
      await waitForStatus(api.url!, token, assetId, (a) => a.scanStatus === 'SCANNING');
      await doomed.kill('SIGKILL');

      await start('worker', { ...env, CLAMAV_PORT: String(clamd.port) });
      const asset = await waitForStatus(api.url!, token, assetId, (a) => a.status !== 'PROCESSING');
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
      expect(asset.scanResult.attempts).toBeGreaterThanOrEqual(1);
    });

    it('SIGTERM on a worker stuck in a scan: it exits 0 within its timeout, and the scan is finished elsewhere', async () => {
      const env = { ...(await deployment()), SCANNER_PROVIDER: 'clamav', SCAN_LOCK_DURATION_MS: '2000' };
      const api = await start('api', env);
      const stuck = await start('worker', { ...env, CLAMAV_PORT: String((blackHole.address() as net.AddressInfo).port) });
      const token = signToken(TEST_JWT_SECRET, { userId: 'term-test', role: 'USER' });
      const assetId = await initiateAndPut(api.url!, token, Buffer.from('released on shutdown\n'));
      await gql(api.url!, CONFIRM, { input: { assetId, title: 'term' } }, token);
      await waitForStatus(api.url!, token, assetId, (a) => a.scanStatus === 'SCANNING');

      const stoppingAt = Date.now();
      expect(await stuck.kill('SIGTERM')).toBe(0);
      expect(Date.now() - stoppingAt).toBeLessThan(20_000);
      await start('worker', { ...env, CLAMAV_PORT: String(clamd.port) });
      const asset = await waitForStatus(api.url!, token, assetId, (a) => a.status !== 'PROCESSING');
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    }, 60_000);
  });

  it('SIGTERM shuts an API down cleanly: subscriptions complete and the process exits 0', async () => {
    const env = await deployment();
    const api = await start('api', env);
    const token = signToken(TEST_JWT_SECRET, { userId: 'shutdown', role: 'USER' });
    const assetId = await initiateAndPut(api.url!, token, Buffer.from('x'));
    const client = createClient({
      url: api.url!.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const closed = new Promise<unknown>((resolve) => {
      client.subscribe({ query: SCAN_STATUS, variables: { assetId } }, { next: () => undefined, error: resolve, complete: () => resolve('complete') });
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await api.kill('SIGTERM')).toBe(0);
    expect(await closed).toBeDefined();
    await client.dispose();
  });
});
