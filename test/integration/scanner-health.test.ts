import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { SignatureVersionRepository } from '../../src/repositories/signature-version.repository';
import { ClamAvScanner } from '../../src/scanners/clamav.scanner';
import { SignatureScanner } from '../../src/scanners/signature.scanner';
import {
  SignatureWatch,
  type SignatureUpdate,
  type SignatureWatchDeps,
} from '../../src/services/scan/signature-watch';
import { startTestApp, type TestApp } from '../helpers/app';
import { ensureClamd, reloadClamd, type ClamdHandle } from '../helpers/clamd';
import { writeDailyDatabase } from '../helpers/clamav-database';

const HOUR = 3600 * 1000;
const silent = createLogger('silent');

/** What several workers sharing one Redis would run, each with its own watch. */
function watchers(count: number, scanner: SignatureWatchDeps['scanner'], redis: Redis, prefix: string) {
  const updates: SignatureUpdate[] = [];
  const watches = Array.from(
    { length: count },
    () =>
      new SignatureWatch({
        scanner,
        versions: new SignatureVersionRepository(redis, prefix),
        onUpdate: async (update) => {
          updates.push(update);
        },
        logger: silent,
        intervalMs: 60_000,
      }),
  );
  return { updates, checkAll: () => Promise.all(watches.map((watch) => watch.check())) };
}

describe('scanner signature versions', () => {
  let clamd: ClamdHandle;
  let redis: Redis;
  let scanner: ClamAvScanner;

  beforeAll(async () => {
    clamd = await ensureClamd({ ownDatabase: true });
    redis = new Redis('redis://127.0.0.1:6379');
    scanner = new ClamAvScanner({ host: clamd.host, port: clamd.port, timeoutMs: 10_000 });
    await writeDailyDatabase(clamd.databaseDir!, {
      version: 27001,
      builtAt: new Date(Date.now() - 50 * HOUR),
    });
    await reloadClamd(clamd, (version) => version.includes('/27001/'));
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await clamd?.stop();
  });

  it("reads clamd's engine and database version, and the database date", async () => {
    const [info] = await scanner.signatures();
    expect(info!.engine).toBe('clamav');
    expect(info!.version).toMatch(/^\d+\.\d+\.\d+\/27001$/);
    expect(Math.abs(info!.updatedAt!.getTime() - (Date.now() - 50 * HOUR))).toBeLessThan(2000);
  });

  it('a new clamd version is reported once across workers, never for the first version seen', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const { updates, checkAll } = watchers(3, scanner, redis, prefix);
    await checkAll();
    expect(updates).toEqual([]);

    await writeDailyDatabase(clamd.databaseDir!, { version: 27002, builtAt: new Date(Date.now() - HOUR) });
    await reloadClamd(clamd, (version) => version.includes('/27002/'));
    await checkAll();
    await checkAll();
    expect(updates).toEqual([
      {
        engine: 'clamav',
        version: expect.stringMatching(/\/27002$/),
        previous: expect.stringMatching(/\/27001$/),
      },
    ]);

    // Workers that start later (fresh processes) do not report it again.
    const late = watchers(2, scanner, redis, prefix);
    await late.checkAll();
    expect(late.updates).toEqual([]);
  });

  it("the signature engine's block-list file changing is an update too", async () => {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const file = path.join(clamd.databaseDir!, '..', 'blocklist.txt');
    await writeFile(file, '# empty for now\n');
    const signature = SignatureScanner.fromBlocklistFile(file);
    const { updates, checkAll } = watchers(2, signature, redis, prefix);
    await checkAll();
    await writeFile(file, `${'ab'.repeat(32)}\n`);
    await checkAll();
    expect(updates).toEqual([
      { engine: 'signature', version: expect.stringMatching(/^signature-1\//), previous: expect.any(String) },
    ]);
  });

  describe('as the service reports it', () => {
    let app: TestApp;
    beforeAll(async () => {
      // The versions as of the previous test: 27002, an hour old. Make it 50 hours old.
      await writeDailyDatabase(clamd.databaseDir!, {
        version: 27003,
        builtAt: new Date(Date.now() - 50 * HOUR),
      });
      await reloadClamd(clamd, (version) => version.includes('/27003/'));
      app = await startTestApp({ env: { SCANNER_PROVIDER: 'clamav', CLAMAV_PORT: String(clamd.port) } });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('/metrics has the signature version and age gauges', async () => {
      const text = await (await fetch(app.url.replace('/graphql', '/metrics'))).text();
      expect(text).toMatch(/^upload_scanner_signature_info\{engine="clamav",version="[\d.]+\/27003"\} 1$/m);
      const age = Number(
        /^upload_scanner_signature_age_seconds\{engine="clamav"\} ([\d.]+)$/m.exec(text)?.[1],
      );
      expect(age).toBeGreaterThan(50 * 3600 - 60);
      expect(age).toBeLessThan(50 * 3600 + 600);
    });

    it('/readyz shows each engine with its signature version, date and age', async () => {
      const ready = (await (await fetch(app.url.replace('/graphql', '/readyz'))).json()) as any;
      expect(ready.scanner).toEqual({
        status: 'ok',
        version: expect.stringMatching(/^ClamAV [\d.]+\/27003\//),
        signatures: [
          {
            engine: 'clamav',
            version: expect.stringMatching(/\/27003$/),
            updatedAt: expect.stringMatching(/^\d{4}-/),
            ageSeconds: expect.any(Number),
          },
        ],
      });
      expect(ready.scanner.signatures[0].ageSeconds).toBeGreaterThan(50 * 3600 - 60);
    });
  });
});
