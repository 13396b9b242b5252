import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** MIME types accepted when `UPLOAD_ALLOWED_MIME_TYPES` is not set. */
export const DEFAULT_ALLOWED_MIME_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/heic',
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'audio/mpeg',
  'audio/wav',
  'audio/ogg',
  'application/pdf',
  'application/zip',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

/** Longest lifetime a bearer token may have unless `JWT_MAX_TTL_SECONDS` says otherwise (24 h). */
export const DEFAULT_JWT_MAX_TTL_SECONDS = 24 * 3600;

export const SCANNER_ENGINES = ['signature', 'clamav', 'virustotal'] as const;
export type ScannerEngineName = (typeof SCANNER_ENGINES)[number];

const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.join(' or ')} URL` },
  );

/** The in-browser GraphQL IDEs the server can serve: GraphiQL at /graphiql, Apollo Sandbox at /graphql. */
const GRAPHQL_IDES = ['graphiql', 'sandbox', 'none'] as const;

/** Which IDEs are served: both outside production, neither in production unless named. */
function graphqlIdes(
  named: string[] | undefined,
  isProduction: boolean,
): { graphiql: boolean; sandbox: boolean } {
  if (named === undefined) return { graphiql: !isProduction, sandbox: !isProduction };
  return { graphiql: named.includes('graphiql'), sandbox: named.includes('sandbox') };
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/uploads'),
  REDIS_URL: z
    .string()
    .refine((value) => parseRedisUrl(value) !== null, {
      message: 'expected redis://host:port, rediss://host:port, or redis+cluster://host:port,host:port',
    })
    .default(DEFAULT_REDIS_URL),
  REDIS_CLUSTER_NODES: z
    .string()
    .refine((value) => parseNodeList(value) !== null, { message: 'expected host:port,host:port' })
    .optional(),
  REDIS_PREFIX: z.string().min(1).default('upl'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STORAGE_PROVIDER: z.enum(['local', 's3', 'r2']).default('local'),
  STORAGE_LOCAL_DIR: z.string().min(1).default('./data/storage'),
  STORAGE_ENDPOINT: url(['http:', 'https:']).optional(),
  R2_ACCOUNT_ID: z
    .string()
    .regex(/^[a-zA-Z0-9]+$/, 'expected an account id')
    .optional(),
  STORAGE_REGION: z.string().min(1).default('auto'),
  STORAGE_ACCESS_KEY_ID: z.string().min(1).optional(),
  STORAGE_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  STORAGE_BUCKET_ASSETS: z.string().min(1).default('assets'),
  STORAGE_FORCE_PATH_STYLE: bool.default(false),
  R2_PUBLIC_URL: url(['http:', 'https:']).optional(),
  STORAGE_MAX_FILE_SIZE: positiveInt.default(52_428_800),
  UPLOAD_ALLOWED_MIME_TYPES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((t) => MIME_PATTERN.test(t)), {
      message: 'expected a comma-separated list of MIME types such as image/png or image/*',
    })
    .optional(),
  UPLOAD_USER_QUOTA_BYTES: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  UPLOAD_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(900),
  SCANNER_PROVIDER: z.string().default('signature'),
  SIGNATURE_BLOCKLIST_FILE: z.string().min(1).optional(),
  CLAMAV_HOST: z.string().min(1).default('127.0.0.1'),
  CLAMAV_PORT: port.default(3310),
  CLAMAV_TIMEOUT_MS: positiveInt.default(60_000),
  /** clamd's StreamMaxLength as configured there (clamd does not tell clients); at most 4 GiB. */
  CLAMAV_MAX_STREAM_BYTES: positiveInt.max(4 * 1024 ** 3 - 1).default(4 * 1024 ** 3 - 1),
  VIRUSTOTAL_API_KEY: z.string().min(1).optional(),
  VIRUSTOTAL_URL: url(['http:', 'https:']).default('https://www.virustotal.com/api/v3'),
  VIRUSTOTAL_POLL_INTERVAL_MS: positiveInt.default(15_000),
  SCAN_CONCURRENCY: positiveInt.default(3),
  SCAN_ATTEMPTS: positiveInt.default(3),
  SCAN_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  SCAN_UNAVAILABLE_RETRY_SECONDS: z.coerce.number().int().min(0).default(3600),
  SCAN_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  SCAN_WATCHDOG_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  SCAN_STUCK_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60_000),
  THUMBNAIL_CONCURRENCY: positiveInt.default(1),
  CLEANUP_CRON: z.string().min(1).default('0 * * * *'),
  CLEANUP_ABANDONED_HOURS: positiveInt.default(24),
  CLEANUP_FAILED_DAYS: positiveInt.default(7),
  CLEANUP_QUARANTINE_DAYS: positiveInt.default(30),
  AUDIT_RETENTION_DAYS: positiveInt.default(365),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Fault injection for the outbox tests only (refused unless NODE_ENV=test): an event type, e.g. SCAN_STARTED. */
  OUTBOX_TEST_KILL_AFTER_COMMIT: z
    .string()
    .regex(/^[A-Z_]+$/, 'expected an event type such as SCAN_STARTED')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .refine((list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), {
      message: 'expected a comma-separated list of origins such as https://app.example.com, or *',
    })
    .optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  JWT_MAX_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(DEFAULT_JWT_MAX_TTL_SECONDS),
  WS_MAX_SUBSCRIPTIONS: positiveInt.default(100),
  WS_MAX_SUBSCRIPTIONS_PER_USER: positiveInt.default(300),
  GRAPHQL_MAX_DEPTH: positiveInt.default(8),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  GRAPHQL_MAX_TOKENS: positiveInt.default(2000),
  GRAPHQL_MAX_COST: positiveInt.default(10_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(0).default(16_384),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
  UPLOAD_PUT_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  UPLOAD_PUT_MIN_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .default(32 * 1024),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_IDE: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((list) => list.every((name) => (GRAPHQL_IDES as readonly string[]).includes(name)), {
      message: 'expected graphiql, sandbox, both comma-separated, or none',
    })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every(isWebhookUrl), {
      message: 'expected a comma-separated list of http or https URLs without credentials',
    })
    .optional(),
  WEBHOOK_SECRET: z
    .string()
    .refine(isWebhookSecret, {
      message: 'expected whsec_ followed by a base64 key of 24 to 64 bytes',
    })
    .optional(),
  WEBHOOK_CONCURRENCY: positiveInt.default(10),
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  WEBHOOK_ATTEMPTS: positiveInt.default(9),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(0).default(30_000),
  RESCAN_AFTER_SIGNATURE_UPDATE_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  SIGNATURE_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
});

/** http(s) only, and no user:password (it would end up in logs and metrics labels). */
function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** Standard Webhooks secrets: `whsec_` + base64 of 24 to 64 random bytes. */
function isWebhookSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!match || match[1]!.length % 4 !== 0) return false;
  const bytes = Buffer.from(match[1]!, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

export type Env = Record<string, string | undefined>;

/** S3's limit for a single PutObject or CopyObject (5 GiB); R2 and MinIO keep to it too. */
/** One S3 PUT or CopyObject stops here; multipart uploads and copies go on to the object limit. */
export const S3_SINGLE_OPERATION_MAX_BYTES = 5 * 1024 ** 3;
/** The largest object S3 (and R2, MinIO) stores: 10,000 parts, 5 TiB in all. */
const S3_MAX_OBJECT_BYTES = 5 * 1024 ** 4;

/** Thrown when the environment is invalid; the message is one line per bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validated, typed settings. Only `loadConfig` reads the environment; everything else gets this. */
export type Config = ReturnType<typeof buildConfig>;

export function loadConfig(env: Env = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  if (parsed.data.OUTBOX_TEST_KILL_AFTER_COMMIT && parsed.data.NODE_ENV !== 'test') {
    throw new ConfigError('Invalid configuration: OUTBOX_TEST_KILL_AFTER_COMMIT: only with NODE_ENV=test');
  }
  return buildConfig(parsed.data);
}

function buildConfig(e: z.infer<typeof envSchema>) {
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  }
  const scanners = parseScanners(e.SCANNER_PROVIDER);
  if (scanners.engines.includes('virustotal') && !e.VIRUSTOTAL_API_KEY) {
    throw new ConfigError(
      'Invalid configuration: VIRUSTOTAL_API_KEY: required when SCANNER_PROVIDER includes virustotal',
    );
  }
  const provider = e.STORAGE_PROVIDER === 'r2' ? 's3' : e.STORAGE_PROVIDER;
  const endpoint =
    e.STORAGE_ENDPOINT ??
    (e.R2_ACCOUNT_ID ? `https://${e.R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : undefined);
  if (e.STORAGE_PROVIDER === 'r2' && !endpoint) {
    throw new ConfigError('Invalid configuration: R2_ACCOUNT_ID: required when STORAGE_PROVIDER=r2');
  }
  // "auto" is R2's region; AWS itself needs a real one, or every presigned URL is unusable.
  if (provider === 's3' && !endpoint && e.STORAGE_REGION === 'auto') {
    throw new ConfigError('Invalid configuration: STORAGE_REGION: required for AWS S3 (e.g. us-east-1)');
  }
  // Multipart uploads complete in place, so only S3's object limit applies; single PUTs (one PUT,
  // one CopyObject) stay at 5 GiB, which initiateUpload enforces.
  if (provider === 's3' && e.STORAGE_MAX_FILE_SIZE > S3_MAX_OBJECT_BYTES) {
    throw new ConfigError(
      `Invalid configuration: STORAGE_MAX_FILE_SIZE: at most ${S3_MAX_OBJECT_BYTES} (5 TiB) with S3-compatible storage`,
    );
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'Invalid configuration: HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  }
  if (Boolean(e.STORAGE_ACCESS_KEY_ID) !== Boolean(e.STORAGE_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      'Invalid configuration: STORAGE_SECRET_ACCESS_KEY: STORAGE_ACCESS_KEY_ID and STORAGE_SECRET_ACCESS_KEY go together',
    );
  }

  if (e.WEBHOOK_URLS && !e.WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration: WEBHOOK_SECRET: required when WEBHOOK_URLS is set (whsec_ followed by a base64 key)',
    );
  }

  return {
    isProduction: e.NODE_ENV === 'production',
    http: {
      port: e.PORT,
      host: e.HOST,
      /** Absolute base of the URLs this server hands out (local upload and download URLs). */
      publicUrl: (e.PUBLIC_URL ?? `http://${publicHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, ''),
      /** When false, the server derives the public URL from the address it actually bound (PORT=0). */
      publicUrlIsExplicit: e.PUBLIC_URL !== undefined,
    },
    databaseUrl: e.DATABASE_URL,
    redis: redisSettings(e.REDIS_URL, e.REDIS_CLUSTER_NODES, e.REDIS_PREFIX),
    auth: {
      // A per-process random key keeps development zero-config without a guessable default.
      jwtSecret: e.JWT_SECRET ?? randomBytes(32).toString('hex'),
      jwtSecretIsEphemeral: !e.JWT_SECRET,
      /** Tokens must carry `exp`, at most this far after `iat` (and after now). */
      maxTokenTtlSeconds: e.JWT_MAX_TTL_SECONDS,
    },
    storage: {
      provider,
      localDir: e.STORAGE_LOCAL_DIR,
      endpoint,
      region: e.STORAGE_REGION,
      accessKeyId: e.STORAGE_ACCESS_KEY_ID,
      secretAccessKey: e.STORAGE_SECRET_ACCESS_KEY,
      bucket: e.STORAGE_BUCKET_ASSETS,
      forcePathStyle: e.STORAGE_FORCE_PATH_STYLE,
      publicUrl: e.R2_PUBLIC_URL,
    },
    upload: {
      maxFileSize: e.STORAGE_MAX_FILE_SIZE,
      allowedMimeTypes: e.UPLOAD_ALLOWED_MIME_TYPES ?? DEFAULT_ALLOWED_MIME_TYPES,
      urlTtlSeconds: e.UPLOAD_URL_TTL_SECONDS,
      /** The largest single-PUT upload: S3 stops at 5 GiB per PUT and copy; larger ones go multipart. */
      singleUploadMaxBytes:
        provider === 's3'
          ? Math.min(e.STORAGE_MAX_FILE_SIZE, S3_SINGLE_OPERATION_MAX_BYTES)
          : e.STORAGE_MAX_FILE_SIZE,
      /** Per user, bytes of assets not REJECTED (unconfirmed uploads included); 0 = no quota. */
      userQuotaBytes: e.UPLOAD_USER_QUOTA_BYTES,
    },
    scan: {
      engines: scanners.engines,
      usedDeprecatedMockName: scanners.usedMock,
      concurrency: e.SCAN_CONCURRENCY,
      attempts: e.SCAN_ATTEMPTS,
      backoffMs: e.SCAN_BACKOFF_MS,
      /**
       * How long a scan waits for an engine that cannot be reached (probing it now and then)
       * before such failures count as attempts like any other.
       */
      unavailableRetryMs: e.SCAN_UNAVAILABLE_RETRY_SECONDS * 1000,
      /** How long a worker's claim on a job lasts without renewal; a killed worker's job is retaken after it. */
      lockDurationMs: e.SCAN_LOCK_DURATION_MS,
      watchdogIntervalMs: e.SCAN_WATCHDOG_INTERVAL_MS,
      stuckAfterMs: e.SCAN_STUCK_AFTER_MS,
      signatureBlocklistFile: e.SIGNATURE_BLOCKLIST_FILE,
      clamav: {
        host: e.CLAMAV_HOST,
        port: e.CLAMAV_PORT,
        timeoutMs: e.CLAMAV_TIMEOUT_MS,
        maxStreamBytes: e.CLAMAV_MAX_STREAM_BYTES,
      },
      virustotal: {
        apiKey: e.VIRUSTOTAL_API_KEY,
        url: e.VIRUSTOTAL_URL.replace(/\/+$/, ''),
        /** First wait before asking whether an uploaded file's analysis is done; it then backs off. */
        pollIntervalMs: e.VIRUSTOTAL_POLL_INTERVAL_MS,
      },
      /** How often each worker asks its engines for their signature version. */
      signatureCheckIntervalMs: e.SIGNATURE_CHECK_INTERVAL_MS,
      /** After a signature update, assets approved within this many days are scanned again; 0 = off. */
      rescanAfterSignatureUpdateDays: e.RESCAN_AFTER_SIGNATURE_UPDATE_DAYS,
    },
    webhooks: {
      urls: e.WEBHOOK_URLS ?? [],
      /** Set whenever `urls` is not empty (checked above). */
      secret: e.WEBHOOK_SECRET,
      concurrency: e.WEBHOOK_CONCURRENCY,
      /** A try that has no 2xx answer within this long failed. */
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      /** Tries per delivery; with the default backoff, 9 tries span about 2 hours. */
      attempts: e.WEBHOOK_ATTEMPTS,
      /** First retry delay; each next one doubles. */
      backoffMs: e.WEBHOOK_BACKOFF_MS,
    },
    thumbnail: { concurrency: e.THUMBNAIL_CONCURRENCY },
    cleanup: {
      cron: e.CLEANUP_CRON,
      abandonedAfterHours: e.CLEANUP_ABANDONED_HOURS,
      failedAfterDays: e.CLEANUP_FAILED_DAYS,
      quarantineAfterDays: e.CLEANUP_QUARANTINE_DAYS,
      /** Audit events older than this are pruned by the cleanup (after their asset, if it is gone). */
      auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    },
    outbox: {
      /** How often each process looks for events another (dead) process or a failed delivery left. */
      sweepIntervalMs: e.OUTBOX_SWEEP_INTERVAL_MS,
      /**
       * Tests only: the process kills itself (SIGKILL) right after committing a transition that
       * records this event type, before its relay can deliver it.
       */
      testKillAfterCommit: e.OUTBOX_TEST_KILL_AFTER_COMMIT,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    /** Bounds on one GraphQL operation, the same on HTTP and WebSocket (see graphql-limits.ts). */
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    websocket: {
      /** Live operations (subscriptions, and queries or mutations in flight) per connection. */
      maxOperationsPerConnection: e.WS_MAX_SUBSCRIPTIONS,
      /** Live operations per user across all of their connections to one API process. */
      maxOperationsPerUser: e.WS_MAX_SUBSCRIPTIONS_PER_USER,
    },
    httpLimits: {
      /** 0 = no limit. */
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    },
    uploadPut: {
      /** A local upload PUT that sends nothing for this long is cut off. */
      idleTimeoutMs: e.UPLOAD_PUT_IDLE_TIMEOUT_MS,
      /** Average rate a local upload PUT must keep once it has run for idleTimeoutMs; 0 = no minimum. */
      minBytesPerSecond: e.UPLOAD_PUT_MIN_BYTES_PER_SECOND,
    },
    /** Browser origins allowed to call the API and the local upload routes; none by default (same origin only). */
    corsOrigins: e.CORS_ORIGINS ?? [],
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    graphqlIde: graphqlIdes(e.GRAPHQL_IDE, e.NODE_ENV === 'production'),
    logLevel: e.LOG_LEVEL,
  };
}

/** A Redis Cluster node to discover the cluster from. */
export interface RedisNode {
  host: string;
  port: number;
}

/** How to reach Redis: one server (`url`) or a cluster (`cluster`), and the names this deployment uses there. */
export interface RedisSettings {
  /** The single server's URL; with a cluster, a `redis(s)://` form of its first node (for messages). */
  url: string;
  /** Seed nodes, credentials and TLS when Redis is a cluster; null for one server. */
  cluster: { nodes: RedisNode[]; username?: string; password?: string; tls: boolean } | null;
  /** Pub/sub channels and the namespace of everything below. */
  prefix: string;
  /**
   * Prefix of this deployment's own keys (analytics, rate limits, signatures, webhooks). On a
   * cluster it is a hash tag (`{upl}:`), so multi-key scripts, transactions and pipelines stay in
   * one slot.
   */
  keyPrefix: string;
  /** BullMQ's prefix; a hash tag on a cluster (`{upl:bull}`), which BullMQ requires there. */
  queuePrefix: string;
}

const CLUSTER_SCHEMES = ['redis+cluster:', 'rediss+cluster:'];

/** `host:port` (IPv6 in brackets), or null. */
function parseNode(value: string): RedisNode | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:,/@[\]]+):(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function parseNodeList(value: string): RedisNode[] | null {
  const nodes = value.split(',').map(parseNode);
  return nodes.length > 0 && nodes.every((node) => node !== null) ? (nodes as RedisNode[]) : null;
}

/** REDIS_URL as one server or as a cluster's seed list; null when it is neither. */
function parseRedisUrl(value: string): { url: string; cluster: RedisSettings['cluster'] } | null {
  const scheme = /^([a-z+]+:)\/\//.exec(value)?.[1];
  if (scheme && CLUSTER_SCHEMES.includes(scheme)) {
    const rest = value.slice(scheme.length + 2).replace(/\/\d*$/, '');
    const at = rest.lastIndexOf('@');
    const nodes = parseNodeList(rest.slice(at + 1));
    if (!nodes) return null;
    const userInfo = at >= 0 ? rest.slice(0, at) : '';
    const colon = userInfo.indexOf(':');
    const username = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    const password = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) : '';
    return {
      url: `${scheme === 'rediss+cluster:' ? 'rediss' : 'redis'}://${nodes[0]!.host}:${nodes[0]!.port}`,
      cluster: {
        nodes,
        username: username || undefined,
        password: password || undefined,
        tls: scheme === 'rediss+cluster:',
      },
    };
  }
  try {
    const url = new URL(value);
    return ['redis:', 'rediss:'].includes(url.protocol) ? { url: value, cluster: null } : null;
  } catch {
    return null;
  }
}

function credentialsOf(url: URL): NonNullable<RedisSettings['cluster']> {
  return {
    nodes: [],
    username: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    tls: url.protocol === 'rediss:',
  };
}

function redisSettings(redisUrl: string, clusterNodes: string | undefined, prefix: string): RedisSettings {
  let { url, cluster } = parseRedisUrl(redisUrl)!;
  if (clusterNodes !== undefined) {
    // The seeds are REDIS_CLUSTER_NODES; REDIS_URL still gives the credentials and TLS.
    const nodes = parseNodeList(clusterNodes)!;
    const credentials = cluster ?? credentialsOf(new URL(redisUrl));
    cluster = { ...credentials, nodes };
    url = `${cluster.tls ? 'rediss' : 'redis'}://${nodes[0]!.host}:${nodes[0]!.port}`;
  }
  return {
    url,
    cluster,
    prefix,
    keyPrefix: cluster ? `{${prefix}}:` : `${prefix}:`,
    queuePrefix: cluster ? `{${prefix}:bull}` : `${prefix}:bull`,
  };
}

function parseScanners(value: string): { engines: ScannerEngineName[]; usedMock: boolean } {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const usedMock = names.includes('mock');
  const engines = [...new Set(names.map((n) => (n === 'mock' ? 'signature' : n)))];
  const unknown = engines.filter((n) => !(SCANNER_ENGINES as readonly string[]).includes(n));
  if (engines.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      `Invalid configuration: SCANNER_PROVIDER: expected a comma-separated list of ${SCANNER_ENGINES.join(', ')}`,
    );
  }
  return { engines: engines as ScannerEngineName[], usedMock };
}

function publicHost(bindHost: string): string {
  if (bindHost === '0.0.0.0' || bindHost === '::') return '127.0.0.1';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}
