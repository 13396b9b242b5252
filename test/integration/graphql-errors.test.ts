import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetFileNameDocument, InitiateKeyDocument } from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/app';
import { INITIATE, MY_ASSETS } from '../helpers/operations';

describe('GraphQL errors carry the contract codes and never leak internals', () => {
  let app: TestApp;
  let user: string;
  beforeAll(async () => {
    app = await startTestApp({
      env: { STORAGE_MAX_FILE_SIZE: '1000', UPLOAD_ALLOWED_MIME_TYPES: 'text/plain,image/*' },
    });
    user = app.token('erin');
  });
  afterAll(() => app?.close());

  const initiate = (input: Record<string, unknown>, token: string | null = user) =>
    app.gql(INITIATE, { input }, token);
  const valid = { fileName: 'ok.txt', fileSize: 10, mimeType: 'text/plain' };

  it('UNAUTHENTICATED without a token; 401 with a bad one', async () => {
    const anonymous = await initiate(valid, null);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await initiate(valid, `${user}x`);
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    [{ fileSize: 0 }, 'BAD_USER_INPUT', 'fileSize'],
    [{ fileSize: -5 }, 'BAD_USER_INPUT', 'fileSize'],
    [{ fileSize: 1001 }, 'FILE_TOO_LARGE', 'fileSize'],
    [{ mimeType: 'application/x-msdownload' }, 'MIME_TYPE_NOT_ALLOWED', 'mimeType'],
    [{ mimeType: 'not a type' }, 'BAD_USER_INPUT', 'mimeType'],
    [{ fileName: '../..' }, 'BAD_USER_INPUT', 'fileName'],
    [{ fileName: '\u0000\u0001' }, 'BAD_USER_INPUT', 'fileName'],
    [{ fileSize: 2 ** 53 }, 'BAD_USER_INPUT', 'fileSize'],
    [{ fileSize: 'ten' }, 'BAD_USER_INPUT', 'fileSize'],
  ])('initiateUpload(%j) → %s on %s', async (override, code, field) => {
    const result = await initiate({ ...valid, ...override });
    expect(result.errors?.[0].extensions).toMatchObject({ code, field });
    expect(JSON.stringify(result)).not.toMatch(/stack|at .*\.ts|SELECT|INSERT|postgres/i);
  });

  it('image/* wildcards allow every image type', async () => {
    const result = await initiate({ ...valid, fileName: 'p.webp', mimeType: 'image/webp' });
    expect(result.errors).toBeUndefined();
  });

  it('parse and validation failures keep Apollo codes', async () => {
    const parse = await app.gql('query {', {}, user);
    expect(parse.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await app.gql('query { noSuchField }', {}, user);
    expect(validation.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a missing input field is BAD_USER_INPUT naming it', async () => {
    const result = await initiate({ fileSize: 1, mimeType: 'text/plain' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fileName' });
  });

  it('admin operations are FORBIDDEN to users', async () => {
    const result = await app.gql('{ uploadQueueDepth { pending } }', {}, user);
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('returns sanitized file names and safe storage keys', async () => {
    const cases = [
      '../../etc/passwd',
      'C:\\Windows\\evil.txt',
      'tab\tand\u0007bell.txt',
      `${'a'.repeat(2000)}.txt`,
      'ré sumé (1).txt',
    ];
    for (const fileName of cases) {
      const result = await app.gql(InitiateKeyDocument, { input: { ...valid, fileName } }, user);
      const { storageKey, assetId } = result.data!.initiateUpload;
      expect(storageKey).not.toMatch(/\.\.|\\|^\//);
      expect(Buffer.byteLength(storageKey)).toBeLessThanOrEqual(1024);
      const mine = await app.gql(AssetFileNameDocument, { id: assetId }, user);
      const name = mine.data!.asset!.fileName;
      // eslint-disable-next-line no-control-regex -- control characters are what must not appear
      expect(name).not.toMatch(/[\\/\u0000-\u001f]/);
      expect(name.length).toBeLessThanOrEqual(255);
    }
  });

  it('myAssets without a token is UNAUTHENTICATED', async () => {
    const result = await app.gql(MY_ASSETS, {}, null);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('malformed requests', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('a body that is not JSON gets 400 with a GraphQL-shaped BAD_USER_INPUT', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Malformed request', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });
});
