import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { freePort } from './ports';

const run = promisify(execFile);

/** A Redis Cluster of masters on loopback ports of its own, for one test file. */
export interface RunningRedisCluster {
  nodes: { host: string; port: number }[];
  /** `redis+cluster://127.0.0.1:P1,…`: the service's REDIS_URL for it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes with cluster mode on (ports and cluster-bus ports
 * chosen at run time, data in a temp directory, nothing persisted), joins them with
 * `redis-cli --cluster create`, and resolves once every node reports the cluster ok.
 */
export async function startRedisCluster(masters = 3): Promise<RunningRedisCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const nodes: { host: string; port: number }[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const busPort = await freePort();
      // prettier-ignore
      const child = spawn('redis-server', [
        '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--maxmemory-policy', 'noeviction',
      ], { stdio: 'ignore' });
      children.push(child);
      nodes.push({ host: '127.0.0.1', port });
    }
    await Promise.all(
      nodes.map((node) => vi.waitFor(() => ping(node.port), { timeout: 10_000, interval: 50 })),
    );
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `${node.host}:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await Promise.all(
      nodes.map((node) => vi.waitFor(() => clusterIsOk(node.port), { timeout: 20_000, interval: 100 })),
    );
    return { nodes, url: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function withNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // a node not up yet: the caller retries
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

async function ping(port: number): Promise<void> {
  const reply = await withNode(port, (redis) => redis.ping());
  if (reply !== 'PONG') throw new Error(`redis on ${port} answered ${reply}`);
}

async function clusterIsOk(port: number): Promise<void> {
  const info = await withNode(port, (redis) => redis.cluster('INFO') as Promise<string>);
  if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) {
    throw new Error(`cluster not ready on ${port}`);
  }
}
