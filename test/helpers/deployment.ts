import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, freshDatabaseUrl } from './app';
import { serviceClient, TEST_JWT_SECRET, type ServiceClient } from './client';
import { startServiceProcess, type ServiceProcess } from './process';

export type Role = 'all' | 'api' | 'worker';

/** One deployment's shared settings: a fresh database, a Redis prefix, a storage directory. */
export async function deploymentEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: freshDatabaseUrl(),
    REDIS_PREFIX: `dp${randomBytes(4).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_LOCAL_DIR: await mkdtemp(path.join(os.tmpdir(), 'upl-deploy-')),
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export interface Deployment {
  env: Record<string, string>;
  processes: ServiceProcess[];
  /** A client of the first process that serves the API. */
  client: ServiceClient;
  /** Starts one more process of this deployment (another replica or worker). */
  add(role: Role, overrides?: Record<string, string>): Promise<ServiceProcess>;
  /** Stops every process and removes the database and storage directory. */
  stop(): Promise<void>;
}

/**
 * The service as it runs in production: `node dist/main.js <role>` processes sharing one
 * database, Redis prefix and storage directory (build `dist/` first), with this process as a
 * remote client.
 */
export async function startDeployment(roles: Role[], env: Record<string, string>): Promise<Deployment> {
  const processes: ServiceProcess[] = [];
  const add = async (role: Role, overrides: Record<string, string> = {}) => {
    const started = await startServiceProcess(role, { ...env, ...overrides });
    processes.push(started);
    return started;
  };
  for (const role of roles) await add(role);
  const apiUrl = processes.find((process) => process.url)?.url ?? '';
  const client = serviceClient(apiUrl, env.JWT_SECRET);
  return {
    env,
    processes,
    client,
    add,
    async stop() {
      await client.closeClients();
      await Promise.all(processes.map((process) => process.kill('SIGKILL')));
      await dropDatabase(env.DATABASE_URL);
      await rm(env.STORAGE_LOCAL_DIR, { recursive: true, force: true });
    },
  };
}
