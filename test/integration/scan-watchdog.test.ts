import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanWatchdog } from '../../src/jobs/scan-watchdog.job';
import { startTestApp, type TestApp } from '../helpers/app';
import { uploadFile } from '../helpers/upload';

describe('the scan watchdog', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  async function backdate(assetId: string, minutes: number): Promise<void> {
    await app.services.orm.em
      .fork()
      .getConnection()
      .execute(`update ip_asset set updated_at = now() - make_interval(mins => ?) where id = ?`, [
        minutes,
        assetId,
      ]);
  }

  it('re-queues a confirmed asset whose job was lost, and leaves queued or fresh ones alone', async () => {
    const token = app.token('watched');
    const lost = await uploadFile(app, token, {
      fileName: 'lost.txt',
      mimeType: 'text/plain',
      body: Buffer.from('lost'),
    });
    const queued = await uploadFile(app, token, {
      fileName: 'queued.txt',
      mimeType: 'text/plain',
      body: Buffer.from('queued'),
    });
    const fresh = await uploadFile(app, token, {
      fileName: 'fresh.txt',
      mimeType: 'text/plain',
      body: Buffer.from('fresh'),
    });
    // Redis lost one job (a restart without persistence, say); two assets have been waiting long.
    await (await app.services.queues.scan.getJob(lost.assetId))!.remove();
    await (await app.services.queues.scan.getJob(fresh.assetId))!.remove();
    await backdate(lost.assetId, 30);
    await backdate(queued.assetId, 30);

    const { services } = app;
    const result = await runScanWatchdog(services.assets, services.queues, 10 * 60_000, services.logger);
    expect(result).toEqual({ requeued: 1 });
    expect((await services.queues.scan.getJob(lost.assetId))?.data).toEqual({ assetId: lost.assetId });
    expect(await services.queues.scan.getJob(fresh.assetId)).toBeUndefined();

    // Running it again changes nothing: the job is queued now.
    expect(await runScanWatchdog(services.assets, services.queues, 10 * 60_000, services.logger)).toEqual({
      requeued: 0,
    });
  });
});
