import { randomBytes } from 'node:crypto';
import { dropDatabase, freshDatabaseUrl } from '../../test/helpers/app';
import { TEST_JWT_SECRET } from '../../test/helpers/client';
import { s3StorageEnv, startS3rver, type RunningS3rver } from '../../test/helpers/s3rver';

/** The service's settings for a bench: production mode, rate limit off, its own database and prefix. */
export interface BenchDeployment {
  env: Record<string, string>;
  jwtSecret: string;
  /** Drops the database and stops the storage server. */
  dispose(): Promise<void>;
}

/**
 * A deployment for the bench: `NODE_ENV=production` (as the issue measures it), rate limit off
 * (the load comes from one user, as do up to 10,000 subscriptions), the s3 provider on an s3rver of its own, a fresh database and
 * Redis prefix. `LOG_LEVEL` stays production's default (info): request logs are part of the cost.
 */
export async function benchDeployment(overrides: Record<string, string> = {}): Promise<BenchDeployment> {
  const s3: RunningS3rver = await startS3rver();
  const databaseUrl = freshDatabaseUrl();
  const env = {
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    // One user holds all of a fan-out bench's subscriptions (up to 10,000).
    WS_MAX_SUBSCRIPTIONS_PER_USER: '20000',
    ...s3StorageEnv(s3),
    ...overrides,
  };
  return {
    env,
    jwtSecret: TEST_JWT_SECRET,
    async dispose() {
      await dropDatabase(databaseUrl);
      await s3.stop();
    },
  };
}
