import { S3Client } from '@aws-sdk/client-s3';

/** What the S3 provider needs from `config.storage`. */
export interface S3Settings {
  /** Unset means AWS; R2's endpoint is derived in config from `R2_ACCOUNT_ID`. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  bucket: string;
  /** Path-style URLs; needed for MinIO and servers on an IP or localhost. */
  forcePathStyle: boolean;
}

/**
 * An S3 client that works the same against AWS S3, R2, MinIO and test servers.
 */
export function createS3Client(settings: S3Settings): S3Client {
  if (Boolean(settings.accessKeyId) !== Boolean(settings.secretAccessKey)) {
    throw new Error('STORAGE_ACCESS_KEY_ID and STORAGE_SECRET_ACCESS_KEY must be set together');
  }
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    // Without explicit keys the SDK's default chain applies (env, profile, IAM role).
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    // The default (WHEN_SUPPORTED) stores aws-chunked framing for streamed PUTs on some servers and
    // puts a CRC32 of an empty body into presigned URLs, which S3 and R2 then refuse.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Fail fast on an unreachable endpoint; the socket timeout only counts idle time, so large
    // transfers are unaffected.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
}
