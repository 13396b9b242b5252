import jwt from 'jsonwebtoken';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/api/auth';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { INITIATE } from '../helpers/operations';
import { ROOT, startUpFailureLine } from '../helpers/process';
import { s3StorageEnv, startS3rver } from '../helpers/s3rver';

const run = promisify(execFile);
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

describe('operating the service', () => {
  it('start-up against an unreachable PostgreSQL or Redis prints one line and exits 1', async () => {
    for (const [env, expected] of [
      [
        { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/uploads' },
        /^PostgreSQL is not reachable at 127\.0\.0\.1:1 .*Start it/,
      ],
      [{ REDIS_URL: 'redis://127.0.0.1:1' }, /^Redis is not reachable at 127\.0\.0\.1:1 .*Start it/],
      [{ PORT: 'many' }, /^Invalid configuration: PORT: /],
    ] as const) {
      expect(await startUpFailureLine(env)).toMatch(expected);
    }
    // Three cold tsx start-ups: on a loaded 2-core machine each has taken over 20 s.
  }, 180_000);

  it('npm run token prints a token the server accepts, and refuses without JWT_SECRET', async () => {
    const { stdout } = await run(TSX, ['src/cli/token.ts', '--user', 'ops', '--role', 'ADMIN'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET },
    });
    expect(verifyToken(TEST_JWT_SECRET, stdout.trim())).toEqual({ userId: 'ops', role: 'ADMIN' });
    // Tokens fit the server's JWT_MAX_TTL_SECONDS: by default, and a longer --expires is refused.
    const short = await run(TSX, ['src/cli/token.ts', '--user', 'ops'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET, JWT_MAX_TTL_SECONDS: '600' },
    });
    const claims = jwt.decode(short.stdout.trim()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(600);
    const tooLong = await run(TSX, ['src/cli/token.ts', '--user', 'ops', '--expires', '2d'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((tooLong as { code: number }).code).toBe(2);
    expect((tooLong as { stderr: string }).stderr).toMatch(/JWT_MAX_TTL_SECONDS/);
    const refused = await run(TSX, ['src/cli/token.ts', '--user', 'ops'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((refused as { code: number }).code).toBe(2);
    expect((refused as { stderr: string }).stderr).toMatch(/JWT_SECRET/);
  }, 60_000);

  describe('with S3 storage', () => {
    let app: TestApp;
    let s3: Awaited<ReturnType<typeof startS3rver>>;
    beforeAll(async () => {
      s3 = await startS3rver();
      app = await startTestApp({
        env: {
          ...s3StorageEnv(s3),
        },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('an unexpected failure is INTERNAL_SERVER_ERROR with nothing internal in it', async () => {
      const presign = app.services.storage.presignPut.bind(app.services.storage);
      app.services.storage.presignPut = async () => {
        throw new Error(`connect ECONNREFUSED bucket ${s3.bucket} at ${s3.endpoint} key=S3RVER`);
      };
      try {
        const result = await app.gql(
          INITIATE,
          { input: { fileName: 'a.txt', fileSize: 1, mimeType: 'text/plain' } },
          app.token('u'),
        );
        expect(result.errors?.[0]).toMatchObject({
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
        const body = JSON.stringify(result);
        for (const secret of [s3.bucket, s3.endpoint, 'S3RVER', 'ECONNREFUSED', 'stack'])
          expect(body).not.toContain(secret);
      } finally {
        app.services.storage.presignPut = presign;
      }
    });

    it('/readyz answers 503 naming storage when the bucket cannot be reached', async () => {
      const base = app.url.replace('/graphql', '');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      await s3.stop();
      const down = await fetch(`${base}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable', failing: ['storage'] });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });
  });
});
