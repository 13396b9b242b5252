import crypto, { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The little of s3rver's API we use; the package ships no types. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(__filename)('s3rver') as S3rverConstructor;

/**
 * s3rver 3.7 encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node 17
 * and later) only offers through the legacy provider: every truncated listing fails with
 * InternalError. DES-EDE with both halves of the key equal *is* single DES, so s3rver's 'des' calls
 * are routed there; no other call changes (they would have thrown).
 */
function allowS3rverContinuationTokens(): void {
  type CipherFactory = ((algorithm: string, key: Buffer, ...rest: unknown[]) => unknown) & {
    s3rverDes?: true;
  };
  const mutable = crypto as unknown as { createCipheriv: CipherFactory; createDecipheriv: CipherFactory };
  if (mutable.createCipheriv.s3rverDes) return;
  const route = (original: CipherFactory): CipherFactory =>
    Object.assign(
      (algorithm: string, key: Buffer, ...rest: unknown[]) =>
        algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8
          ? original('des-ede-cbc', Buffer.concat([key, key]), ...rest)
          : original(algorithm, key, ...rest),
      { s3rverDes: true as const },
    );
  mutable.createCipheriv = route(mutable.createCipheriv);
  mutable.createDecipheriv = route(mutable.createDecipheriv);
}

export interface RunningS3rver {
  /** e.g. http://127.0.0.1:41234; use with forcePathStyle. */
  endpoint: string;
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  region: 'us-east-1';
  /** The first bucket created. */
  bucket: string;
  /** Stops answering (its port refuses connections), keeping the data: an outage. */
  halt(): Promise<void>;
  /** Serves again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver in this process on a free port with a data directory of its own, with the
 * given buckets (default: one random name). s3rver checks the key id and expiry of presigned
 * URLs but not their signatures; tests of signed headers must recompute signatures instead.
 */
export async function startS3rver(options: { buckets?: string[] } = {}): Promise<RunningS3rver> {
  allowS3rverContinuationTokens();
  const buckets = options.buckets?.length ? options.buckets : [`test-${randomUUID()}`];
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const create = (port: number) =>
    new S3rver({
      address: '127.0.0.1',
      port,
      directory,
      silent: true,
      configureBuckets: buckets.map((name) => ({ name })),
    });
  let server = create(0);
  let running = true;
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    bucket: buckets[0] as string,
    async halt() {
      if (running) await server.close();
      running = false;
    },
    async resume() {
      if (running) return;
      server = create(address.port);
      await server.run();
      running = true;
    },
    async stop() {
      if (running) await server.close();
      running = false;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The service's environment for storing in this s3rver (path-style, as MinIO and test servers need). */
export function s3StorageEnv(s3: RunningS3rver): Record<string, string> {
  return {
    STORAGE_PROVIDER: 's3',
    STORAGE_ENDPOINT: s3.endpoint,
    STORAGE_REGION: s3.region,
    STORAGE_ACCESS_KEY_ID: s3.accessKeyId,
    STORAGE_SECRET_ACCESS_KEY: s3.secretAccessKey,
    STORAGE_BUCKET_ASSETS: s3.bucket,
    STORAGE_FORCE_PATH_STYLE: 'true',
  };
}
