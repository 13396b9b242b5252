import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectSubscription } from '../helpers/app';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { serviceClient } from '../helpers/client';
import { deploymentEnv, startDeployment, type Deployment } from '../helpers/deployment';
import { SCAN_STATUS } from '../helpers/operations';
import { buildDist } from '../helpers/process';
import { waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes } from '../helpers/upload';

type ScanEvent = { assetScanStatus: { status: string; scanStatus: string; final: boolean } };

describe('several processes of one deployment', () => {
  const deployments: Deployment[] = [];
  beforeAll(() => buildDist(), 120_000);
  afterAll(async () => {
    for (const deployment of deployments) await deployment.stop();
  });

  async function deploy(roles: ('api' | 'worker')[], overrides: Record<string, string> = {}) {
    const deployment = await startDeployment(
      roles,
      await deploymentEnv({ SCAN_BACKOFF_MS: '200', ...overrides }),
    );
    deployments.push(deployment);
    return deployment;
  }

  /** initiate + PUT through `client`; returns the asset id, not yet confirmed. */
  async function uploaded(client: Deployment['client'], token: string, text: string): Promise<string> {
    const body = Buffer.from(text);
    const upload = await initiate(client, token, {
      fileName: 'f.txt',
      fileSize: body.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(upload, body)).ok).toBe(true);
    return upload.assetId;
  }

  it('a subscriber on API 2 receives every event of an upload confirmed through API 1', async () => {
    const deployment = await deploy(['api', 'api', 'worker'], { SCANNER_PROVIDER: 'signature' });
    const api1 = deployment.client;
    const api2 = serviceClient(deployment.processes[1].url!, deployment.env.JWT_SECRET);
    expect(api2.url).not.toBe(api1.url);
    const token = api1.token('fan-out');

    const assetId = await uploaded(api1, token, 'hello from api 1\n');
    const stream = collectSubscription<ScanEvent>(api2.ws(token), SCAN_STATUS, { assetId });
    await stream.started;
    expect((await confirm(api1, token, assetId, 'fan-out')).errors).toBeUndefined();
    const { events, error } = await stream.done;
    await api2.closeClients();
    expect(error).toBeUndefined();
    expect(
      events.map(({ assetScanStatus: e }) => `${e.status}/${e.scanStatus}${e.final ? '!' : ''}`),
    ).toEqual(['DRAFT/PENDING', 'PROCESSING/PENDING', 'PROCESSING/SCANNING', 'APPROVED/CLEAN!']);
  });

  describe('workers that die or are stopped mid-scan', () => {
    let clamd: ClamdHandle;
    let blackHole: net.Server;
    let blackHolePort: string;
    beforeAll(async () => {
      clamd = await ensureClamd();
      // Accepts clamd connections and never answers: a worker pointed at it hangs inside its scan.
      blackHole = net.createServer(() => undefined);
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
      blackHolePort = String((blackHole.address() as net.AddressInfo).port);
    });
    afterAll(async () => {
      blackHole?.close();
      await clamd?.stop();
    });

    /** An API and a worker stuck in the scan of a freshly confirmed asset. */
    async function stuckScan(label: string) {
      const deployment = await deploy(['api'], { SCANNER_PROVIDER: 'clamav', SCAN_LOCK_DURATION_MS: '2000' });
      const stuck = await deployment.add('worker', { CLAMAV_PORT: blackHolePort });
      const { client } = deployment;
      const token = client.token(label);
      const assetId = await uploaded(client, token, `scan me, ${label}\n`);
      await confirm(client, token, assetId, label);
      await waitForAsset(client, token, assetId, (a) => a.scanStatus === 'SCANNING');
      return { deployment, stuck, token, assetId };
    }

    it('SIGKILL: another worker completes the asset and none stays SCANNING', async () => {
      const { deployment, stuck, token, assetId } = await stuckScan('killed');
      await stuck.kill('SIGKILL');
      await deployment.add('worker', { CLAMAV_PORT: String(clamd.port) });
      const asset = await waitForAsset(
        deployment.client,
        token,
        assetId,
        (a) => a.status !== 'PROCESSING',
        30_000,
      );
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    }, 60_000);

    it('SIGTERM: the worker exits 0 within its timeout, and the scan is finished elsewhere', async () => {
      const { deployment, stuck, token, assetId } = await stuckScan('terminated');
      const stoppingAt = Date.now();
      expect(await stuck.kill('SIGTERM')).toBe(0);
      expect(Date.now() - stoppingAt).toBeLessThan(20_000);
      await deployment.add('worker', { CLAMAV_PORT: String(clamd.port) });
      const asset = await waitForAsset(
        deployment.client,
        token,
        assetId,
        (a) => a.status !== 'PROCESSING',
        30_000,
      );
      expect(asset).toMatchObject({ status: 'APPROVED', scanStatus: 'CLEAN' });
    }, 60_000);

    it('a second signal during shutdown exits at once, with code 1', async () => {
      const { stuck } = await stuckScan('impatient');
      const logged = (msg: string) => stuck.logs.some((line) => line.includes(`"msg":"${msg}"`));
      stuck.child.kill('SIGTERM');
      await vi.waitFor(() => expect(logged('shutting down')).toBe(true), { timeout: 10_000, interval: 20 });
      // The first signal is still waiting for the stuck scan; the second does not wait.
      const secondAt = Date.now();
      expect(await stuck.kill('SIGINT')).toBe(1);
      expect(Date.now() - secondAt).toBeLessThan(3_000);
      expect(logged('second signal: exiting now')).toBe(true);
    }, 60_000);
  });

  it('SIGTERM shuts an API down cleanly: sockets close with 1001 (going away) and the process exits 0', async () => {
    const deployment = await deploy(['api']);
    const { client } = deployment;
    const token = client.token('shutdown');
    const assetId = await uploaded(client, token, 'x');
    const stream = collectSubscription(client.ws(token), SCAN_STATUS, { assetId });
    await stream.started;
    expect(await deployment.processes[0].kill('SIGTERM')).toBe(0);
    const { error } = await stream.done;
    // 1001 tells clients to reconnect (to another replica), unlike an abnormal 1006.
    expect((error as { code?: number }).code).toBe(1001);
  });
});
