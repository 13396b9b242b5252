import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { vi } from 'vitest';
import { freePort } from './ports';

const run = promisify(execFile);

/**
 * A service of a test file's own, on a port of its own, that the test may stop and start again
 * (a fault): the suite's shared PostgreSQL (5432) and Redis (6379) are never touched.
 */
export interface OwnService {
  port: number;
  url: string;
  /** Stops it (cleanly: what a restart or an outage looks like to clients). */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  dispose(): Promise<void>;
}

/**
 * A redis-server of its own: nothing persisted, so a restart loses every key (as in production
 * here); with `persist`, an append-only file synced on every write, so a killed and restarted
 * Redis comes back with every key (queues, counters) as a durable production Redis would.
 */
export async function startOwnRedis(options: { persist?: boolean } = {}): Promise<OwnService> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'own-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    // prettier-ignore
    child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '',
      ...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      '--dir', dir, '--maxmemory-policy', 'noeviction',
    ], { stdio: 'ignore' });
    await vi.waitFor(() => pingRedis(port), { timeout: 10_000, interval: 50 });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function pingRedis(port: number): Promise<void> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
  } finally {
    redis.disconnect();
  }
}

const PG_BIN = `/usr/lib/postgresql/${process.env.PG_MAJOR ?? '15'}/bin`;

/** Runs a PostgreSQL binary as the postgres user (initdb and postgres refuse to run as root). */
function asPostgres(command: string, args: string[]) {
  const line = [path.join(PG_BIN, command), ...args]
    .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return run('su', ['postgres', '-c', line]);
}

/**
 * A PostgreSQL cluster of its own (initdb in a temp directory, trust auth, no fsync: it holds
 * only test data). `url` names its `postgres` database; create others through it.
 */
export async function startOwnPostgres(): Promise<OwnService & { databaseUrl(name: string): string }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'own-pg-'));
  await chown(dir, ...(await postgresIds()));
  const data = path.join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'pg.log'), 'start', '-w']);
  };
  const stop = async () => {
    await asPostgres('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w']).catch(() => undefined);
  };
  await start();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    port,
    url: `${base}/postgres`,
    databaseUrl: (name) => `${base}/${name}`,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postgres']);
  const uid = Number(/uid=(\d+)/.exec(stdout)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)?.[1]);
  return [uid, gid];
}

/** True when the PostgreSQL at `url` answers a query. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
