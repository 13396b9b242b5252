import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DestinationStream } from 'pino';
import type { Client as WsClient } from 'graphql-ws';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { closeServices, openServices, type AppServices } from '../../src/app/services';
import { loadConfig, type Env } from '../../src/config';
import { startWorkers, type RunningWorkers } from '../../src/jobs/workers';
import { createLogger } from '../../src/logger';
import { buildAppSchema } from '../../src/schema/build-schema';
import type { TypedDocumentString } from '../generated/graphql';
import { serviceClient, TEST_JWT_SECRET, type ServiceClient } from './client';

export { TEST_JWT_SECRET };

/** The whole service in this process, plus a client of it. */
export interface TestApp extends ServiceClient {
  services: AppServices;
  api?: ApiServer;
  workers?: RunningWorkers;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Env;
  /** Start the HTTP/WebSocket API (default true). */
  api?: boolean;
  /** Start the workers in the same process (default false). */
  workers?: boolean;
  /** Reuse an existing database instead of creating a fresh one. */
  databaseUrl?: string;
  /** Reuse a Redis prefix (several processes of one deployment). */
  redisPrefix?: string;
  /** Keep what the app logs at this level or above (default: nothing is logged). */
  log?: RecordedLog;
  /** The app's clock (uploads, lifecycle, cleanup, local storage URLs), for tests that move time. */
  now?: () => Date;
}

/** Log entries kept in memory, so a test can check what was logged (see {@link recordLog}). */
export interface RecordedLog {
  level: string;
  entries: Record<string, unknown>[];
  destination: DestinationStream;
}

export function recordLog(level: string): RecordedLog {
  const entries: Record<string, unknown>[] = [];
  return { level, entries, destination: { write: (line: string) => void entries.push(JSON.parse(line)) } };
}

const PG_BASE = 'postgres://postgres@127.0.0.1:5432';

/** A unique database name for a test file; dropped by `dropDatabase`. */
export function freshDatabaseUrl(): string {
  return `${PG_BASE}/upl_test_${randomBytes(5).toString('hex')}`;
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new Client({ connectionString: `${PG_BASE}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The whole service in this process against real PostgreSQL, Redis and storage, on a random port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? freshDatabaseUrl();
  const ownsDatabase = !options.databaseUrl;
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'upl-storage-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: options.redisPrefix ?? `t${randomBytes(4).toString('hex')}`,
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_LOCAL_DIR: storageDir,
    LOG_LEVEL: options.log?.level ?? process.env.TEST_LOG_LEVEL ?? 'silent',
    SCAN_BACKOFF_MS: '200',
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  });
  const logger = createLogger(config.logLevel, {}, options.log?.destination);
  const services = await openServices(config, logger, { now: options.now });
  const workers = options.workers ? await startWorkers(services) : undefined;
  let api: ApiServer | undefined;
  if (options.api !== false) {
    const schema = await buildAppSchema();
    api = await startApiServer(services, schema);
  }
  const client = serviceClient(api?.url ?? '', TEST_JWT_SECRET);

  return {
    ...client,
    services,
    api,
    workers,
    databaseUrl,
    async close() {
      await client.closeClients();
      await workers?.close();
      await api?.close();
      await closeServices(services);
      await rm(storageDir, { recursive: true, force: true });
      if (ownsDatabase) await dropDatabase(databaseUrl);
    },
  };
}

/** What {@link collectSubscription} hands back. */
export interface CollectedSubscription<T> {
  /** The events so far; complete once `done` resolves. */
  events: T[];
  /** Resolves at the first event, or when the subscription ends without one. */
  started: Promise<void>;
  done: Promise<{ events: T[]; error?: unknown }>;
}

/** Collects every event of a subscription until it completes (or `timeoutMs`). */
export function collectSubscription<T>(
  client: WsClient,
  query: string | TypedDocumentString<T, Record<string, unknown>>,
  variables: Record<string, unknown>,
  timeoutMs = 20_000,
): CollectedSubscription<T> {
  const events: T[] = [];
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<{ events: T[]; error?: unknown }>((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve({ events, error: new Error(`subscription still open after ${timeoutMs} ms`) });
    }, timeoutMs);
    const unsubscribe = client.subscribe<T>(
      { query: String(query), variables },
      {
        next: (result) => {
          if (result.errors) {
            clearTimeout(timer);
            resolve({ events, error: result.errors });
          } else if (result.data) {
            events.push(result.data as T);
            markStarted();
          }
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({ events, error });
        },
        complete: () => {
          clearTimeout(timer);
          resolve({ events });
        },
      },
    );
  });
  void done.then(markStarted);
  return { events, started, done };
}
