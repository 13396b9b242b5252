import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClamAvScanner } from '../../src/scanners/clamav.scanner';
import { MultiScanner } from '../../src/scanners/multi.scanner';
import { scanTargetFromBuffer } from '../../src/scanners/scan-target';
import { EICAR_TEST_STRING, SignatureScanner } from '../../src/scanners/signature.scanner';
import { VirusTotalScanner } from '../../src/scanners/virustotal.scanner';
import { ensureClamd, type ClamdHandle } from '../helpers/clamd';
import { startVirusTotalStub, type VirusTotalStub } from '../helpers/virustotal-stub';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Real engines throughout: a block-listed file is "infected" for the signature engine and
// clean for clamd, which knows only EICAR; a closed port makes a real clamav error.
describe('MultiScanner with real engines', () => {
  let clamd: ClamdHandle;
  let stub: VirusTotalStub;
  let clamav: ClamAvScanner;
  const reported = randomBytes(4096);

  beforeAll(async () => {
    [clamd, stub] = await Promise.all([ensureClamd(), startVirusTotalStub()]);
    clamav = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await Promise.all([clamd?.stop(), stub?.close()]);
  });

  it('infected + clean → infected, each threat naming its engine', async () => {
    const multi = new MultiScanner([clamav, new SignatureScanner({ blockedSha256: [sha256(reported)] })]);
    const verdict = await multi.scan(scanTargetFromBuffer('reported', reported));
    expect(verdict).toMatchObject({
      outcome: 'infected',
      engine: 'clamav+signature',
      threats: [{ engine: 'signature', name: `Blocklist.SHA256.${sha256(reported)}` }],
      engineVersion: expect.stringMatching(/^clamav=ClamAV .+; signature=signature-1/),
    });
  });

  it('every engine that detects contributes its threats', async () => {
    const vt = new VirusTotalScanner({
      apiKey: stub.apiKey,
      url: stub.url,
      pollIntervalMs: 10,
      timeoutMs: 5_000,
    });
    const multi = new MultiScanner([clamav, new SignatureScanner(), vt]);
    const verdict = await multi.scan(scanTargetFromBuffer('eicar', Buffer.from(EICAR_TEST_STRING, 'latin1')));
    expect(verdict.engine).toBe('clamav+signature+virustotal');
    expect(verdict.outcome === 'infected' && verdict.threats).toEqual([
      { engine: 'clamav', name: expect.stringMatching(/^Eicar-Test-Signature/) },
      { engine: 'signature', name: 'Eicar-Test-Signature' },
      { engine: 'virustotal', name: 'EICAR-Test-File' },
      { engine: 'virustotal', name: 'Eicar test file' },
      { engine: 'virustotal', name: 'Win.Test.EICAR_HDB-1' },
    ]);
  });

  it('error + clean → error, never clean', async () => {
    const unreachable = new ClamAvScanner({ host: '127.0.0.1', port: await closedPort() });
    const verdict = await new MultiScanner([unreachable, new SignatureScanner()]).scan(
      scanTargetFromBuffer('clean', randomBytes(1000)),
    );
    expect(verdict).toMatchObject({
      outcome: 'error',
      engine: 'clamav+signature',
      reason: expect.stringMatching(/^clamav: clamd at 127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/),
    });
  });

  it('all clean → clean', async () => {
    const verdict = await new MultiScanner([clamav, new SignatureScanner()]).scan(
      scanTargetFromBuffer('c', randomBytes(1000)),
    );
    expect(verdict).toMatchObject({ outcome: 'clean', engine: 'clamav+signature' });
  });

  it('pings every engine', async () => {
    expect(await new MultiScanner([clamav, new SignatureScanner()]).ping()).toMatch(
      /^clamav=ClamAV .+; signature=/,
    );
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
