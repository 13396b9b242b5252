import { ensureClamd, SHARED_CLAMD_PORT } from './clamd';
import { ensurePostgres, ensureRedis } from './services';

/**
 * Runs once before the suite: makes sure the real services the tests talk to are up, starting
 * what is not running. s3rver is started by each test file that needs it, on a port of its own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await ensurePostgres();
  await ensureRedis();
  const clamd = await ensureClamd({ port: SHARED_CLAMD_PORT });
  return async () => {
    await clamd.stop();
  };
}
