import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { scanTargetFromBuffer } from '../../src/scanners/scan-target';
import { EICAR_TEST_STRING } from '../../src/scanners/signature.scanner';
import { VirusTotalScanner, type VirusTotalScannerOptions } from '../../src/scanners/virustotal.scanner';
import { startVirusTotalStub, type VirusTotalStub } from '../helpers/virustotal-stub';

const EICAR = Buffer.from(EICAR_TEST_STRING, 'latin1');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('VirusTotalScanner against the VirusTotal API stub', () => {
  let stub: VirusTotalStub;
  const scannerFor = (overrides: Partial<VirusTotalScannerOptions> = {}) =>
    new VirusTotalScanner({
      apiKey: stub.apiKey,
      url: stub.url,
      pollIntervalMs: 10,
      timeoutMs: 5_000,
      ...overrides,
    });

  beforeAll(async () => {
    stub = await startVirusTotalStub({ maxDirectUploadBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await stub?.close();
  });
  beforeEach(() => {
    stub.requests.length = 0;
    stub.uploads.length = 0;
    stub.setUploadBehaviour({ pollsBeforeCompletion: 1 });
  });

  it('reports a known-malicious hash as infected, without uploading', async () => {
    const bytes = Buffer.concat([EICAR, randomBytes(16)]);
    stub.addKnownFile(sha256(bytes), {
      Kaspersky: { category: 'malicious', result: 'EICAR-Test-File' },
      ESET: { category: 'malicious', result: 'Eicar test file' },
      Avast: { category: 'undetected', result: null },
    });
    const verdict = await scannerFor().scan(scanTargetFromBuffer('known-bad', bytes));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      engine: 'virustotal',
      threats: [
        { engine: 'virustotal', name: 'EICAR-Test-File' },
        { engine: 'virustotal', name: 'Eicar test file' },
      ],
      engineVersion: expect.stringMatching(/^VirusTotal API v3, analysis of \d{4}-/),
    });
    expect(stub.requests).toEqual([{ method: 'GET', path: `/api/v3/files/${sha256(bytes)}` }]);
  });

  it('reports a known-clean hash as clean', async () => {
    const bytes = randomBytes(1000);
    stub.addKnownFile(sha256(bytes), {
      Kaspersky: { category: 'undetected', result: null },
      ESET: { category: 'harmless', result: null },
    });
    expect(await scannerFor().scan(scanTargetFromBuffer('known-good', bytes))).toMatchObject({
      outcome: 'clean',
    });
    expect(stub.uploads).toHaveLength(0);
  });

  it('uploads an unknown file, polls with backoff until the analysis completes', async () => {
    stub.setUploadBehaviour({ pollsBeforeCompletion: 3 });
    const bytes = Buffer.concat([randomBytes(100_000), EICAR]);
    const verdict = await scannerFor().scan(scanTargetFromBuffer('asset-123', bytes));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      threats: ['EICAR-Test-File', 'Eicar test file', 'Win.Test.EICAR_HDB-1'].map((name) => ({
        engine: 'virustotal',
        name,
      })),
    });
    expect(stub.uploads).toEqual([
      {
        sha256: sha256(bytes),
        size: bytes.length,
        fileName: 'asset-123',
        route: 'files',
        hadApiKey: true,
        hadContentLength: true,
      },
    ]);
    expect(stub.requests.filter((r) => r.path.startsWith('/api/v3/analyses/'))).toHaveLength(4);

    // VirusTotal now knows the file: a second scan is one lookup.
    stub.requests.length = 0;
    expect((await scannerFor().scan(scanTargetFromBuffer('asset-123', bytes))).outcome).toBe('infected');
    expect(stub.requests).toHaveLength(1);
  });

  it('uploads a clean unknown file and reports it clean', async () => {
    const verdict = await scannerFor().scan(scanTargetFromBuffer('fresh', randomBytes(5_000)));
    expect(verdict).toMatchObject({ outcome: 'clean', engine: 'virustotal' });
  });

  it('sends files over the direct limit through an upload URL, streamed', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const verdict = await scannerFor({ directUploadLimitBytes: 1024 * 1024 }).scan(
      scanTargetFromBuffer('big', bytes),
    );
    expect(verdict.outcome).toBe('clean');
    expect(stub.uploads).toEqual([
      {
        sha256: sha256(bytes),
        size: bytes.length,
        fileName: 'big',
        route: 'upload_url',
        hadApiKey: true,
        hadContentLength: true,
      },
    ]);
    expect(
      stub.requests
        .map((r) => `${r.method} ${r.path.replace(/^\/upload\/.+$/, '/upload/:token')}`)
        .slice(0, 3),
    ).toEqual([`GET /api/v3/files/${sha256(bytes)}`, 'GET /api/v3/files/upload_url', 'POST /upload/:token']);
  });

  it('gives an error verdict when VirusTotal refuses the upload', async () => {
    const verdict = await scannerFor({ directUploadLimitBytes: 4 * 1024 * 1024 }).scan(
      scanTargetFromBuffer('too-big-for-direct', randomBytes(2 * 1024 * 1024)),
    );
    expect(verdict).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/^VirusTotal answered HTTP 413 RequestEntityTooLarge/),
    });
  });

  it('gives an error verdict when rate limited beyond the budget, with Retry-After', async () => {
    stub.rateLimitNext(1, 120);
    const verdict = await scannerFor().scan(scanTargetFromBuffer('limited', randomBytes(100)));
    expect(verdict).toEqual({
      outcome: 'error',
      engine: 'virustotal',
      reason: 'VirusTotal rate limited this key, retry later (Retry-After 120 s)',
      engineVersion: 'VirusTotal API v3',
      retryAfterMs: 120_000,
      // Says nothing about the file: the scan job waits instead of spending an attempt.
      unavailable: true,
    });
  });

  it('gives an error verdict at once when rate limited without Retry-After', async () => {
    stub.rateLimitNext(1);
    const verdict = await scannerFor().scan(scanTargetFromBuffer('limited', randomBytes(100)));
    expect(verdict).toMatchObject({
      outcome: 'error',
      reason: 'VirusTotal rate limited this key, retry later',
    });
  });

  it('waits out a short Retry-After and carries on', async () => {
    stub.rateLimitNext(1, 1);
    const started = Date.now();
    const verdict = await scannerFor().scan(scanTargetFromBuffer('patient', randomBytes(100)));
    expect(verdict.outcome).toBe('clean');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('keeps polling through a rate limit while the analysis runs', async () => {
    stub.setUploadBehaviour({ pollsBeforeCompletion: 2 });
    const bytes = randomBytes(200);
    const scanning = scannerFor({ pollIntervalMs: 50 }).scan(scanTargetFromBuffer('poll-429', bytes));
    await vi.waitFor(() => expect(stub.uploads).toHaveLength(1), { timeout: 2_000, interval: 5 });
    stub.rateLimitNext(1);
    expect((await scanning).outcome).toBe('clean');
  });

  it('gives an error verdict for a bad key, without the key in it', async () => {
    const badKey = 'definitely-wrong-key-1234567890';
    const verdict = await scannerFor({ apiKey: badKey }).scan(scanTargetFromBuffer('x', randomBytes(10)));
    expect(verdict).toMatchObject({
      outcome: 'error',
      reason: 'VirusTotal refused the API key (HTTP 401 WrongCredentialsError)',
    });
    expect(JSON.stringify(verdict)).not.toContain(badKey);
  });

  it('gives an error verdict when the analysis does not complete in time', async () => {
    stub.setUploadBehaviour({ pollsBeforeCompletion: Infinity });
    const started = Date.now();
    const verdict = await scannerFor({ timeoutMs: 400 }).scan(scanTargetFromBuffer('slow', randomBytes(100)));
    expect(verdict).toMatchObject({ outcome: 'error', reason: 'VirusTotal did not finish within 400 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives an error verdict when VirusTotal is unreachable', async () => {
    const verdict = await scannerFor({ url: `http://127.0.0.1:${await closedPort()}/api/v3` }).scan(
      scanTargetFromBuffer('x', randomBytes(10)),
    );
    expect(verdict).toMatchObject({
      outcome: 'error',
      reason: expect.stringContaining('ECONNREFUSED'),
      unavailable: true,
    });
  });

  it('rejects with the abort reason when the caller aborts while polling', async () => {
    stub.setUploadBehaviour({ pollsBeforeCompletion: Infinity });
    const controller = new AbortController();
    const scanning = scannerFor().scan(scanTargetFromBuffer('aborted', randomBytes(100)), controller.signal);
    setTimeout(() => controller.abort(new Error('worker shutting down')), 100);
    await expect(scanning).rejects.toThrow('worker shutting down');
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
