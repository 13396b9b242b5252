import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClamAvScanner } from '../../src/scanners/clamav.scanner';
import type { ScanTarget } from '../../src/scanners/scanner';
import { scanTargetFromBuffer } from '../../src/scanners/scan-target';
import { EICAR_TEST_STRING } from '../../src/scanners/signature.scanner';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';

const EICAR = Buffer.from(EICAR_TEST_STRING, 'latin1');
const MiB = 1024 * 1024;

/** A target whose stream is generated on the fly, so a big object never sits in memory. */
function generatedTarget(size: number, chunkSize = 256 * 1024): ScanTarget {
  return {
    assetId: 'generated',
    size,
    async open() {
      async function* chunks() {
        const chunk = Buffer.alloc(chunkSize, 0x61);
        for (let sent = 0; sent < size; sent += chunkSize)
          yield chunk.subarray(0, Math.min(chunkSize, size - sent));
      }
      return Readable.from(chunks());
    },
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ClamAvScanner against a real clamd', () => {
  let clamd: ClamdHandle;
  let scanner: ClamAvScanner;

  beforeAll(async () => {
    clamd = await ensureClamd();
    scanner = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  it('answers ping with its version', async () => {
    expect(await scanner.ping()).toMatch(/^ClamAV \d+\.\d+/);
  });

  it('detects the EICAR test file and carries the engine version', async () => {
    const verdict = await scanner.scan(scanTargetFromBuffer('eicar', EICAR));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      engine: 'clamav',
      engineVersion: expect.stringMatching(/^ClamAV /),
    });
    expect(verdict.outcome === 'infected' && verdict.threats[0]).toEqual({
      engine: 'clamav',
      name: expect.stringMatching(/Eicar/i),
    });
  });

  it('detects EICAR embedded in 1 MB of other bytes, across a chunk boundary', async () => {
    const bytes = Buffer.concat([randomBytes(512 * 1024 - 30), EICAR, randomBytes(512 * 1024)]);
    const verdict = await scanner.scan(scanTargetFromBuffer('embedded', bytes, 64 * 1024));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      threats: [{ engine: 'clamav', name: expect.stringMatching(/^Eicar-Test-Signature-Body/) }],
    });
  });

  it('passes clean bytes', async () => {
    const verdict = await scanner.scan(scanTargetFromBuffer('clean', randomBytes(300_000), 10_000));
    expect(verdict).toMatchObject({ outcome: 'clean', engine: 'clamav' });
  });

  it('passes an empty object', async () => {
    expect((await scanner.scan(scanTargetFromBuffer('empty', Buffer.alloc(0)))).outcome).toBe('clean');
  });

  it('scans 10 MB, streamed, and reports the throughput', async () => {
    const size = 10 * MiB;
    const timings: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const verdict = await scanner.scan(generatedTarget(size));
      timings.push(performance.now() - started);
      expect(verdict.outcome).toBe('clean');
    }
    const best = Math.min(...timings);
    console.info(
      `clamd INSTREAM, 10 MiB: ${timings.map((ms) => ms.toFixed(0)).join(' / ')} ms; best ${(size / MiB / (best / 1000)).toFixed(0)} MiB/s`,
    );
  });

  it('gives an error verdict quickly when nothing listens on the port', async () => {
    const unreachable = new ClamAvScanner({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 5_000 });
    const started = Date.now();
    const verdict = await unreachable.scan(scanTargetFromBuffer('x', EICAR));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(verdict).toMatchObject({
      outcome: 'error',
      engine: 'clamav',
      reason: expect.stringMatching(/unreachable.*ECONNREFUSED/),
      // Nothing learnt about the file: the scan job waits for clamd instead of spending an attempt.
      unavailable: true,
    });
    await expect(unreachable.ping()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects with the source error when the object cannot be read', async () => {
    const broken: ScanTarget = {
      assetId: 'broken',
      size: 10,
      open: async () =>
        new Readable({
          read() {
            this.destroy(new Error('storage went away'));
          },
        }),
    };
    await expect(scanner.scan(broken)).rejects.toThrow('storage went away');
  });
});

describe('ClamAvScanner against a clamd with a small StreamMaxLength', () => {
  let clamd: ClamdHandle;
  let scanner: ClamAvScanner;

  beforeAll(async () => {
    clamd = await ensureClamd({ streamMaxLength: '1M' });
    scanner = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  it('scans an object under the limit', async () => {
    expect((await scanner.scan(scanTargetFromBuffer('small', EICAR))).outcome).toBe('infected');
  });

  it.each([2 * MiB, 20 * MiB])('gives an error verdict, not clean, for %i bytes', async (size) => {
    const verdict = await scanner.scan(generatedTarget(size));
    expect(verdict).toMatchObject({ outcome: 'error', engine: 'clamav' });
    console.info(`${size} bytes over a 1M StreamMaxLength: ${verdict.outcome === 'error' && verdict.reason}`);
    expect(verdict.outcome === 'error' && verdict.reason).toMatch(/StreamMaxLength/);
    // clamd still answers: this is about the file, not an outage to wait out.
    expect(verdict.outcome === 'error' && verdict.unavailable).toBeFalsy();
  });

  it('reads the object only as fast as clamd takes it (backpressure)', async () => {
    let produced = 0;
    const huge: ScanTarget = {
      assetId: 'huge',
      size: 256 * MiB,
      async open() {
        async function* chunks() {
          const chunk = Buffer.alloc(64 * 1024, 0x62);
          while (produced < 256 * MiB) {
            produced += chunk.length;
            yield chunk;
          }
        }
        return Readable.from(chunks());
      },
    };
    const impatient = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 500 });
    process.kill(clamd.pid!, 'SIGSTOP');
    try {
      const verdict = await impatient.scan(huge);
      expect(verdict).toMatchObject({
        outcome: 'error',
        reason: expect.stringMatching(/no traffic with clamd at .* for 500 ms/),
      });
    } finally {
      process.kill(clamd.pid!, 'SIGCONT');
    }
    // Only what the kernel's socket buffers and one writable buffer hold, not the 256 MiB.
    expect(produced).toBeLessThan(32 * MiB);
    console.info(`read ${(produced / MiB).toFixed(1)} MiB of a 256 MiB object while clamd was paused`);
  });

  it('times out with an error verdict when clamd stops answering, and honours abort', async () => {
    expect(clamd.started).toBe(true);
    const impatient = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 300 });
    process.kill(clamd.pid!, 'SIGSTOP');
    try {
      const started = Date.now();
      const verdict = await impatient.scan(scanTargetFromBuffer('x', EICAR));
      expect(verdict).toMatchObject({
        outcome: 'error',
        reason: expect.stringMatching(/no traffic with clamd at .* for 300 ms/),
      });
      expect(Date.now() - started).toBeLessThan(3_000);

      const controller = new AbortController();
      const scanning = scanner.scan(scanTargetFromBuffer('x', EICAR), controller.signal);
      setTimeout(() => controller.abort(new Error('worker shutting down')), 100);
      await expect(scanning).rejects.toThrow('worker shutting down');
    } finally {
      process.kill(clamd.pid!, 'SIGCONT');
    }
    expect(await scanner.ping()).toMatch(/^ClamAV/);
  });
});
