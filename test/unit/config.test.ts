import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ALLOWED_MIME_TYPES, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('works with no environment at all', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 4000, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:4000' });
    expect(config.storage.provider).toBe('local');
    expect(config.upload.allowedMimeTypes).toEqual(DEFAULT_ALLOWED_MIME_TYPES);
    expect(config.scan.engines).toEqual(['signature']);
    expect(config.auth.jwtSecretIsEphemeral).toBe(true);
    expect(config.introspection).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'nope'],
    ['REDIS_URL', 'redis+cluster://'],
    ['REDIS_URL', 'redis+cluster://h1:6379,h2'],
    ['REDIS_URL', 'http://h1:6379'],
    ['REDIS_CLUSTER_NODES', 'h1:6379,h2:99999'],
    ['REDIS_CLUSTER_NODES', 'h1'],
    ['STORAGE_PROVIDER', 'ftp'],
    ['STORAGE_MAX_FILE_SIZE', '-1'],
    ['UPLOAD_ALLOWED_MIME_TYPES', 'image/png, not a type'],
    ['SCANNER_PROVIDER', 'clamav,unknown'],
    ['STORAGE_FORCE_PATH_STYLE', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['WEBHOOK_URLS', 'ftp://example.com/hook'],
    ['WEBHOOK_URLS', 'https://user:pass@example.com/hook'],
    ['WEBHOOK_SECRET', 'whsec_not base64!'],
    ['WEBHOOK_SECRET', `whsec_${Buffer.alloc(8).toString('base64')}`],
    ['RESCAN_AFTER_SIGNATURE_UPDATE_DAYS', '-1'],
    ['GRAPHQL_IDE', 'graphiql,playground'],
  ])('a bad %s stops start-up with one line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('requires a valid WEBHOOK_SECRET with WEBHOOK_URLS; webhooks are off without them', () => {
    expect(loadConfig({}).webhooks.urls).toEqual([]);
    expect(() => loadConfig({ WEBHOOK_URLS: 'https://hooks.example.com/a' })).toThrow(
      /^Invalid configuration: WEBHOOK_SECRET: required when WEBHOOK_URLS is set/,
    );
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const config = loadConfig({
      WEBHOOK_URLS: 'https://hooks.example.com/a, https://other.example.com/b?token=x',
      WEBHOOK_SECRET: secret,
    });
    expect(config.webhooks).toMatchObject({
      urls: ['https://hooks.example.com/a', 'https://other.example.com/b?token=x'],
      secret,
      timeoutMs: 10_000,
    });
  });

  it('retries webhooks within a minute at first, and for at least an hour by default', () => {
    const { attempts, backoffMs } = loadConfig({}).webhooks;
    expect(backoffMs).toBeLessThanOrEqual(60_000);
    // BullMQ's exponential backoff waits backoffMs * 2^(n-1) before retry n.
    const horizonMs = Array.from({ length: attempts - 1 }, (_, i) => backoffMs * 2 ** i).reduce(
      (a, b) => a + b,
      0,
    );
    expect(horizonMs).toBeGreaterThanOrEqual(3600_000);
  });

  it('rescans after signature updates cover 7 days by default; 0 turns them off', () => {
    expect(loadConfig({}).scan.rescanAfterSignatureUpdateDays).toBe(7);
    expect(loadConfig({ RESCAN_AFTER_SIGNATURE_UPDATE_DAYS: '0' }).scan.rescanAfterSignatureUpdateDays).toBe(
      0,
    );
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(config.introspection).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GRAPHQL_INTROSPECTION: 'true' })
        .introspection,
    ).toBe(true);
  });

  it('GRAPHQL_IDE: GraphiQL and Sandbox outside production, neither in production unless named', () => {
    expect(loadConfig({}).graphqlIde).toEqual({ graphiql: true, sandbox: true });
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).graphqlIde).toEqual({ graphiql: false, sandbox: false });
    expect(loadConfig({ ...production, GRAPHQL_IDE: 'GraphiQL' }).graphqlIde).toEqual({
      graphiql: true,
      sandbox: false,
    });
    expect(loadConfig({ GRAPHQL_IDE: 'none' }).graphqlIde).toEqual({ graphiql: false, sandbox: false });
    expect(loadConfig({ GRAPHQL_IDE: 'sandbox, graphiql' }).graphqlIde).toEqual({
      graphiql: true,
      sandbox: true,
    });
  });

  it('derives the R2 endpoint and accepts r2 as s3', () => {
    const config = loadConfig({ STORAGE_PROVIDER: 'r2', R2_ACCOUNT_ID: 'abc123' });
    expect(config.storage).toMatchObject({
      provider: 's3',
      endpoint: 'https://abc123.r2.cloudflarestorage.com',
    });
  });

  it('needs a real region for AWS and both halves of a credential', () => {
    expect(() => loadConfig({ STORAGE_PROVIDER: 's3' })).toThrow(/STORAGE_REGION/);
    expect(loadConfig({ STORAGE_PROVIDER: 's3', STORAGE_REGION: 'eu-west-1' }).storage.region).toBe(
      'eu-west-1',
    );
    expect(() => loadConfig({ STORAGE_ACCESS_KEY_ID: 'only-half' })).toThrow(/STORAGE_SECRET_ACCESS_KEY/);
  });

  it("caps the file size at S3's 5 TiB object limit, and single PUTs at 5 GiB, only for S3", () => {
    const s3 = { STORAGE_PROVIDER: 's3', STORAGE_REGION: 'eu-west-1' };
    const fiveTiB = String(5 * 1024 ** 4);
    const large = loadConfig({ ...s3, STORAGE_MAX_FILE_SIZE: fiveTiB }).upload;
    expect(large.maxFileSize).toBe(5 * 1024 ** 4);
    expect(large.singleUploadMaxBytes).toBe(5 * 1024 ** 3);
    expect(() => loadConfig({ ...s3, STORAGE_MAX_FILE_SIZE: String(5 * 1024 ** 4 + 1) })).toThrow(
      /STORAGE_MAX_FILE_SIZE/,
    );
    const local = loadConfig({ STORAGE_MAX_FILE_SIZE: String(8 * 1024 ** 3) }).upload;
    expect(local.maxFileSize).toBe(8 * 1024 ** 3);
    expect(local.singleUploadMaxBytes).toBe(8 * 1024 ** 3);
  });

  it("takes clamd's StreamMaxLength up to 4 GiB", () => {
    expect(loadConfig({}).scan.clamav.maxStreamBytes).toBe(4 * 1024 ** 3 - 1);
    expect(loadConfig({ CLAMAV_MAX_STREAM_BYTES: '104857600' }).scan.clamav.maxStreamBytes).toBe(104857600);
    expect(() => loadConfig({ CLAMAV_MAX_STREAM_BYTES: String(4 * 1024 ** 3) })).toThrow(
      /CLAMAV_MAX_STREAM_BYTES/,
    );
  });

  it('accepts several scanners and the seed name mock', () => {
    expect(loadConfig({ SCANNER_PROVIDER: 'clamav, signature' }).scan.engines).toEqual([
      'clamav',
      'signature',
    ]);
    const mock = loadConfig({ SCANNER_PROVIDER: 'mock' });
    expect(mock.scan).toMatchObject({ engines: ['signature'], usedDeprecatedMockName: true });
    expect(() => loadConfig({ SCANNER_PROVIDER: 'virustotal' })).toThrow(/VIRUSTOTAL_API_KEY/);
  });

  describe('Redis', () => {
    it('one server by default, with the prefix as it always was', () => {
      expect(loadConfig({ REDIS_PREFIX: 'upl' }).redis).toEqual({
        url: 'redis://127.0.0.1:6379',
        cluster: null,
        prefix: 'upl',
        keyPrefix: 'upl:',
        queuePrefix: 'upl:bull',
      });
    });

    it('a cluster named in REDIS_URL: seeds, credentials, TLS, and hash-tagged prefixes', () => {
      const { redis } = loadConfig({
        REDIS_URL: 'rediss+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002',
        REDIS_PREFIX: 'upl',
      });
      expect(redis.cluster).toEqual({
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        username: 'app',
        password: 's@cret',
        tls: true,
      });
      expect(redis).toMatchObject({ prefix: 'upl', keyPrefix: '{upl}:', queuePrefix: '{upl:bull}' });
      expect(redis.url).toBe('rediss://10.0.0.1:7000');
    });

    it('or in REDIS_CLUSTER_NODES, with REDIS_URL giving the credentials', () => {
      const { redis } = loadConfig({
        REDIS_URL: 'redis://:pw@ignored:6379',
        REDIS_CLUSTER_NODES: 'h1:7000, h2:7001',
      });
      expect(redis.cluster).toEqual({
        nodes: [
          { host: 'h1', port: 7000 },
          { host: 'h2', port: 7001 },
        ],
        username: undefined,
        password: 'pw',
        tls: false,
      });
      expect(redis.keyPrefix).toBe('{upl}:');
    });
  });
});
