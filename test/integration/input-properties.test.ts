import fc from 'fast-check';
import mime from 'mime-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import type { Actor } from '../../src/services/actor';
import { extensionOf } from '../../src/services/upload/type-extension';
import { isValidStorageKey } from '../../src/storage/storage-key';
import { startTestApp, type TestApp } from '../helpers/app';
import { fileNames, TRICKY } from '../helpers/input-arbitraries';
import { ConfirmDocument, InitiateDocument } from '../helpers/operations';
import { PNG_1x1, putBytes } from '../helpers/upload';

/** Bytes that pass confirm's content check for each type the properties upload. */
const BODIES: Record<string, Buffer> = {
  'text/plain': Buffer.from('hello, world\n'),
  'text/csv': Buffer.from('a,b\n1,2\n'),
  'image/png': PNG_1x1,
};
const types = fc.constantFrom(...Object.keys(BODIES));
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TRICKY), minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);
const metadata = fc.option(
  fc.oneof(
    fc.object({ maxDepth: 3, maxKeys: 6 }),
    fc.dictionary(
      fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 3 }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  ),
  { nil: null },
);
const inputs = fc.record({
  fileName: fileNames,
  mimeType: types,
  projectId: fc.option(text, { nil: null }),
  title: text,
  description: fc.option(text, { nil: null }),
  metadata,
});

function expectClientError(error: unknown): void {
  // A refusal is one of the contract's client errors, never an internal one.
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).not.toBe('INTERNAL_SERVER_ERROR');
}

describe('anything initiate accepts confirms, inside its own keys, and nothing is a 500 (properties)', () => {
  let app: TestApp;
  const actor: Actor = { userId: 'prop-user', role: 'USER' };
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('through the real UploadService and storage', async () => {
    const { uploads, storage } = app.services;
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        const body = BODIES[input.mimeType];
        let initiated;
        try {
          initiated = await uploads.initiate(actor, { ...input, fileSize: body.length });
        } catch (error) {
          expectClientError(error);
          return;
        }
        const { asset } = initiated;
        expect(isValidStorageKey(asset.storageKey)).toBe(true);
        expect(asset.storageKey.startsWith(`assets/${asset.id}/`)).toBe(true);
        expect(asset.uploadKey).toBe(`incoming/${asset.id}`);
        expect(mime.extensions[input.mimeType]).toContain(extensionOf(asset.fileName));
        await storage.put(asset.uploadKey!, body, {
          contentType: input.mimeType,
          contentLength: body.length,
        });

        const details = { title: input.title, description: input.description, metadata: input.metadata };
        let confirmed;
        try {
          confirmed = await uploads.confirm(actor, { assetId: asset.id, ...details });
        } catch (error) {
          expectClientError(error);
          expect((error as AppError).code).toBe('BAD_USER_INPUT');
          expect(['title', 'description', 'metadata']).toContain((error as AppError).extensions.field);
          // The refusal lost nothing: the same upload confirms with plain details.
          confirmed = await uploads.confirm(actor, { assetId: asset.id, title: 'Plain title' });
        }
        expect(confirmed.status).toBe('PROCESSING');
        expect(confirmed.fileName).toBe(asset.fileName);
        expect(await storage.head(confirmed.storageKey)).toMatchObject({ size: body.length });
      }),
      { numRuns: 150 },
    );
  });

  it('over HTTP: every answer is data or a client error code, never a 500', async () => {
    const token = app.token('prop-http');
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        const body = BODIES[input.mimeType];
        const { title, description, metadata: meta, ...initiateInput } = input;
        const started = await app.gql(
          InitiateDocument,
          { input: { ...initiateInput, fileSize: body.length } },
          token,
        );
        expect(started.status).not.toBe(500);
        if (started.errors) {
          expect(started.errors[0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
          return;
        }
        const { uploadHeaders, ...rest } = started.data!.initiateUpload;
        // JSON scalar in the schema; S3 presigned headers are strings (as in helpers/upload.ts).
        const upload = { ...rest, uploadHeaders: uploadHeaders as Record<string, string> };
        expect((await putBytes(upload, body)).status).toBe(200);
        const confirmed = await app.gql(
          ConfirmDocument,
          { input: { assetId: upload.assetId, title, description, metadata: meta } },
          token,
        );
        expect(confirmed.status).not.toBe(500);
        if (confirmed.errors) expect(confirmed.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
        else expect(confirmed.data!.confirmUpload.status).toBe('PROCESSING');
      }),
      { numRuns: 60 },
    );
  });
});
