import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createScanner } from '../../src/scanners';
import { CLAMD_MAX_STREAM_BYTES, ClamAvScanner } from '../../src/scanners/clamav.scanner';
import { combineVerdicts, MultiScanner } from '../../src/scanners/multi.scanner';
import { SignatureScanner } from '../../src/scanners/signature.scanner';

describe('combineVerdicts', () => {
  it('is infected when any engine is, each threat naming the engine that found it', () => {
    expect(
      combineVerdicts('clamav+signature+virustotal', [
        {
          outcome: 'infected',
          engine: 'clamav',
          threats: [{ engine: 'clamav', name: 'Eicar-Test-Signature' }],
          engineVersion: 'ClamAV 1.4.6',
        },
        { outcome: 'error', engine: 'signature', reason: 'boom' },
        {
          outcome: 'infected',
          engine: 'virustotal',
          threats: [{ engine: 'virustotal', name: 'EICAR-Test-File' }],
        },
      ]),
    ).toEqual({
      outcome: 'infected',
      engine: 'clamav+signature+virustotal',
      threats: [
        { engine: 'clamav', name: 'Eicar-Test-Signature' },
        { engine: 'virustotal', name: 'EICAR-Test-File' },
      ],
      engineVersion: 'clamav=ClamAV 1.4.6',
    });
  });

  it('is an outage to wait out only when every engine that failed was unreachable', () => {
    const unreachable = { outcome: 'error', engine: 'clamav', reason: 'refused', unavailable: true } as const;
    const overLimit = { outcome: 'error', engine: 'virustotal', reason: 'file too large' } as const;
    const clean = { outcome: 'clean', engine: 'virustotal' } as const;
    expect(combineVerdicts('clamav+virustotal', [unreachable, clean])).toMatchObject({
      outcome: 'error',
      unavailable: true,
    });
    expect(combineVerdicts('clamav+virustotal', [unreachable, overLimit])).not.toHaveProperty('unavailable');
  });

  it('is an error, never clean, when any engine could not decide', () => {
    const verdict = combineVerdicts('clamav+virustotal', [
      { outcome: 'clean', engine: 'clamav' },
      { outcome: 'error', engine: 'virustotal', reason: 'rate limited', retryAfterMs: 60_000 },
    ]);
    expect(verdict).toEqual({
      outcome: 'error',
      engine: 'clamav+virustotal',
      reason: 'virustotal: rate limited',
      retryAfterMs: 60_000,
    });
  });

  it('is clean only when every engine is clean', () => {
    expect(
      combineVerdicts('a+b', [
        { outcome: 'clean', engine: 'a' },
        { outcome: 'clean', engine: 'b' },
      ]).outcome,
    ).toBe('clean');
    expect(combineVerdicts('none', []).outcome).toBe('error');
  });
});

describe('createScanner', () => {
  it('builds one engine as itself and several as one combined scanner', () => {
    expect(createScanner(loadConfig({})).engine).toBe('signature');
    expect(createScanner(loadConfig({ SCANNER_PROVIDER: 'mock' })).engine).toBe('signature');
    expect(
      createScanner(loadConfig({ SCANNER_PROVIDER: 'clamav,virustotal', VIRUSTOTAL_API_KEY: 'k' })).engine,
    ).toBe('clamav+virustotal');
  });

  it('fails at start-up for an unreadable block-list file', () => {
    expect(() => createScanner(loadConfig({ SIGNATURE_BLOCKLIST_FILE: '/nonexistent/list.txt' }))).toThrow(
      /list\.txt/,
    );
  });
});

describe('the largest object scanned', () => {
  it("is the smallest of the engines' limits; a larger object is an error verdict, sent nowhere", async () => {
    // Port 9 (discard) on loopback: nothing answers, so a verdict proves no connection was needed.
    const clamav = new ClamAvScanner({ host: '127.0.0.1', port: 9, maxStreamBytes: 10 });
    const multi = new MultiScanner([clamav, SignatureScanner.fromBlocklistFile(undefined)]);
    expect(multi.maxScanBytes).toBe(10);
    let opened = false;
    const target = {
      assetId: 'a',
      size: 11,
      open: async () => {
        opened = true;
        return Readable.from([Buffer.alloc(11)]);
      },
    };
    const verdict = await clamav.scan(target);
    expect(verdict).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/larger than clamd scans/),
    });
    expect(verdict.outcome === 'error' && verdict.unavailable).toBeFalsy();
    expect(opened).toBe(false);
    expect(
      new ClamAvScanner({ host: '127.0.0.1', port: 9, maxStreamBytes: 8 * 1024 ** 3 }).maxScanBytes,
    ).toBe(CLAMD_MAX_STREAM_BYTES);
  });
});
