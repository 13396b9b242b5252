import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FiguresDocument, RebuildCountsDocument } from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/app';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { EICAR, waitForAsset } from '../helpers/scan';
import { confirm, initiate, putBytes, uploadFile } from '../helpers/upload';

const ASSET_EVENTS = `query Trail($assetId: ID!) {
  assetEvents(assetId: $assetId) { type status scanStatus actor detail at }
}`;

interface TrailEvent {
  type: string;
  status: string;
  scanStatus: string;
  actor: string;
  detail: Record<string, any> | null;
  at: string;
}

describe('assetEvents: the audit trail', () => {
  let clamd: ClamdHandle;
  let app: TestApp;
  let alice: string;
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    clamd = await ensureClamd();
    app = await startTestApp({
      workers: true,
      env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(clamd.port) },
    });
    alice = app.token('alice');
    bob = app.token('bob');
    admin = app.token('root', 'ADMIN');
  });
  afterAll(async () => {
    await app?.close();
    await clamd?.stop();
  });

  async function trail(assetId: string, token: string) {
    return app.gql<{ assetEvents: TrailEvent[] }>(ASSET_EVENTS, { assetId }, token);
  }

  async function trailOf(assetId: string, token = alice): Promise<TrailEvent[]> {
    const response = await trail(assetId, token);
    expect(response.errors).toBeUndefined();
    return response.data!.assetEvents;
  }

  /** What the database says about an asset's events, for the retention checks. */
  const sql = (query: string, bindings: unknown[]) =>
    app.services.orm.em.getKnex().raw(query, bindings as never[]);

  let cleanId: string;
  let mismatchId: string;

  it('a clean upload: initiated and confirmed by the owner, scanned by the system, oldest first', async () => {
    const body = Buffer.from('clean text\n'.repeat(100));
    const { assetId } = await uploadFile(app, alice, { fileName: 'clean.txt', mimeType: 'text/plain', body });
    cleanId = assetId;
    await waitForAsset(app, alice, assetId, (asset) => asset.status === 'APPROVED');
    const events = await trailOf(assetId);
    expect(events.map((e) => [e.type, e.status, e.scanStatus, e.actor])).toEqual([
      ['INITIATED', 'DRAFT', 'PENDING', 'alice'],
      ['CONFIRMED', 'PROCESSING', 'PENDING', 'alice'],
      ['SCAN_STARTED', 'PROCESSING', 'SCANNING', 'system'],
      ['SCANNED_CLEAN', 'APPROVED', 'CLEAN', 'system'],
    ]);
    expect(events[0]!.detail).toMatchObject({
      fileName: 'clean.txt',
      mimeType: 'text/plain',
      fileSize: body.length,
    });
    expect(events[3]!.detail).toMatchObject({
      engine: 'clamav',
      engineVersion: expect.stringMatching(/^ClamAV \d/),
      threats: [],
      attempts: 1,
    });
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Nothing in the trail is a URL, a storage key or a token.
    expect(JSON.stringify(events)).not.toMatch(/https?:|incoming\/|assets\/|Bearer|X-Amz/i);
    // An admin reads the same trail.
    expect(await trailOf(assetId, admin)).toEqual(events);
  });

  it('an infected upload: SCANNED_INFECTED names the threat and the engine that found it', async () => {
    const { assetId } = await uploadFile(app, alice, {
      fileName: 'eicar.txt',
      mimeType: 'text/plain',
      body: EICAR,
    });
    await waitForAsset(app, alice, assetId, (asset) => asset.scanStatus === 'INFECTED');
    const events = await trailOf(assetId);
    expect(events.map((e) => e.type)).toEqual(['INITIATED', 'CONFIRMED', 'SCAN_STARTED', 'SCANNED_INFECTED']);
    expect(events[3]).toMatchObject({
      status: 'REJECTED',
      scanStatus: 'INFECTED',
      actor: 'system',
      detail: {
        reason: 'Virus detected',
        engine: 'clamav',
        threats: [{ engine: 'clamav', name: expect.stringMatching(/Eicar/i) }],
      },
    });
  });

  it('a content mismatch: REJECTED by the confirm that found it, with the reason', async () => {
    const body = Buffer.from('definitely not a png, just text');
    const upload = await initiate(app, alice, {
      fileName: 'fake.png',
      fileSize: body.length,
      mimeType: 'image/png',
    });
    expect((await putBytes(upload, body)).ok).toBe(true);
    expect((await confirm(app, alice, upload.assetId)).errors?.[0]?.extensions?.code).toBe(
      'CONTENT_MISMATCH',
    );
    mismatchId = upload.assetId;
    const events = await trailOf(upload.assetId);
    expect(events.map((e) => [e.type, e.status, e.scanStatus, e.actor])).toEqual([
      ['INITIATED', 'DRAFT', 'PENDING', 'alice'],
      ['REJECTED', 'REJECTED', 'PENDING', 'alice'],
    ]);
    expect(events[1]!.detail).toMatchObject({ reason: 'Content mismatch', problem: expect.any(String) });
  });

  it("another user's asset answers exactly like a missing one", async () => {
    const others = await trail(cleanId, bob);
    const missing = await trail('00000000-0000-4000-8000-000000000000', bob);
    const malformed = await trail('not-an-id', bob);
    for (const response of [others, missing, malformed]) {
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
    }
    expect(others.errors).toEqual(missing.errors);
    expect(others.errors).toEqual(malformed.errors);
    expect(others.errors![0]!.extensions?.code).toBe('NOT_FOUND');
    expect((await trail(cleanId, '')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('after the cleanup deleted the asset, admins still read its trail, ending CLEANED_UP', async () => {
    // The rejected asset expired a week ago, as far as the cleanup can tell.
    await sql(`update ip_asset set rejected_at = now() - interval '8 days' where id = ?`, [mismatchId]);
    const result = await app.services.cleanup.run({ dryRun: false });
    expect(result.failedCleaned).toBeGreaterThanOrEqual(1);
    expect(await app.services.assets.findById(mismatchId)).toBeNull();

    const events = await trailOf(mismatchId, admin);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['INITIATED', 'alice'],
      ['REJECTED', 'alice'],
      ['CLEANED_UP', 'system'],
    ]);
    // The owner's asset is gone: for them it is a missing asset now.
    expect((await trail(mismatchId, alice)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('rebuilding today from the trail gives the figures that happened, the cleaned-up asset included', async () => {
    await app.services.outbox.flush();
    const live = await app.gql(FiguresDocument, {}, admin);
    expect(live.errors).toBeUndefined();
    // What this file did: three uploads, one approved, one infected, one content mismatch (since deleted).
    expect(live.data!.uploadMetrics).toMatchObject({
      totalUploads: 3,
      successfulUploads: 1,
      failedUploads: 2,
      virusScans: { total: 2, clean: 1, infected: 1, failed: 0 },
    });
    expect(live.data!.uploadFailureBreakdown).toEqual(
      expect.arrayContaining([
        { key: 'Virus detected', count: 1 },
        { key: 'Content mismatch', count: 1 },
      ]),
    );
    expect(await app.services.assets.findById(mismatchId)).toBeNull();

    // Redis loses every counter; the day is rebuilt from asset_event alone.
    const keys = await app.services.redis.keys(`${app.services.config.redis.prefix}:upload:*`);
    await app.services.redis.del(...keys);
    expect((await app.gql(FiguresDocument, {}, admin)).data!.uploadMetrics.totalUploads).toBe(0);
    const rebuilt = await app.gql(RebuildCountsDocument, { date: new Date().toISOString() }, admin);
    expect(rebuilt.errors).toBeUndefined();
    expect(rebuilt.data!.rebuildUploadMetrics.rowsCounted).toBeGreaterThan(0);
    expect((await app.gql(FiguresDocument, {}, admin)).data).toEqual(live.data);
  });

  it('the cleanup prunes delivered events older than AUDIT_RETENTION_DAYS (365); a dry run and undelivered ones are left', async () => {
    // This process's relay stops (delivering what is left), so the event marked undelivered
    // below stays undelivered while the cleanup runs.
    await app.services.outbox.close();
    await sql(`update asset_event set at = at - interval '366 days' where asset_id = ?`, [mismatchId]);
    const [undelivered] = (await app.services.assetEvents.listForAsset(cleanId)).slice(-1);
    await sql(`update asset_event set at = at - interval '400 days', delivered_at = null where id = ?`, [
      undelivered!.id,
    ]);

    await app.services.cleanup.run({ dryRun: true });
    expect(await trailOf(mismatchId, admin)).toHaveLength(3);

    await app.services.cleanup.run({ dryRun: false });
    expect((await trail(mismatchId, admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await app.services.assetEvents.listForAsset(mismatchId)).length).toBe(0);
    expect((await trailOf(cleanId, alice)).map((e) => e.type)).toEqual([
      'INITIATED',
      'CONFIRMED',
      'SCAN_STARTED',
      'SCANNED_CLEAN',
    ]);
  });
});
