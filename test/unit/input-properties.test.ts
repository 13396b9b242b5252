import fc from 'fast-check';
import mime from 'mime-types';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_MIME_TYPES } from '../../src/config';
import { AppError } from '../../src/errors';
import {
  keySafeName,
  MAX_FILE_NAME_LENGTH,
  sanitizeFileName,
  storageKeys,
} from '../../src/services/upload/file-name';
import {
  assertMetadataShape,
  assertStorableText,
  MAX_METADATA_DEPTH,
} from '../../src/services/upload/input-rules';
import { extensionOf, nameForType } from '../../src/services/upload/type-extension';
import { isValidStorageKey } from '../../src/storage/storage-key';
import { fileNames, TRICKY } from '../helpers/input-arbitraries';

const FORBIDDEN_IN_NAME =
  // eslint-disable-next-line no-control-regex -- the property is that none of these remain
  /[\u0000-\u001f\u007f-\u009f\\/\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2215\uff0f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const RUNS = { numRuns: 3000 };

describe('file names (properties)', () => {
  it('a sanitized name is safe, short, NFC, idempotent, and makes a valid key inside its asset prefix', () => {
    fc.assert(
      fc.property(fileNames, fc.uuid({ version: 4 }), (raw, assetId) => {
        const name = sanitizeFileName(raw);
        if (name === null) return true;
        const key = storageKeys.asset(assetId, name);
        // Plain checks rather than expect(): thousands of runs stay within a few seconds.
        return (
          !FORBIDDEN_IN_NAME.test(name) &&
          !LONE_SURROGATE.test(name) &&
          !/^[.\s]|[.\s]$/.test(name) &&
          name.normalize('NFC') === name &&
          Array.from(name).length <= MAX_FILE_NAME_LENGTH &&
          sanitizeFileName(name) === name &&
          isValidStorageKey(key) &&
          key.startsWith(`assets/${assetId}/`) &&
          key.split('/').length === 3 &&
          /^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(keySafeName(name))
        );
      }),
      RUNS,
    );
  });

  it('the served name ends in an extension of its type and stays within 255 characters', () => {
    fc.assert(
      fc.property(fileNames, fc.constantFrom(...DEFAULT_ALLOWED_MIME_TYPES), (raw, mimeType) => {
        const name = sanitizeFileName(raw);
        if (name === null) return true;
        const served = nameForType(name, mimeType, MAX_FILE_NAME_LENGTH);
        return (
          (mime.extensions[mimeType] ?? []).includes(extensionOf(served) ?? '') &&
          Array.from(served).length <= MAX_FILE_NAME_LENGTH &&
          sanitizeFileName(served) === served &&
          nameForType(served, mimeType, MAX_FILE_NAME_LENGTH) === served
        );
      }),
      RUNS,
    );
  });
});

describe('text and metadata inputs (properties)', () => {
  /** Either accepted, or refused with BAD_USER_INPUT naming the field: never another error. */
  const acceptedOrBadInput = (check: () => void, field: string): boolean => {
    try {
      check();
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field } });
      return false;
    }
  };

  it('strings are refused exactly when they hold NUL or an unpaired surrogate', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...TRICKY) })),
        (value) => {
          const storable = !value.includes('\u0000') && !LONE_SURROGATE.test(value);
          expect(acceptedOrBadInput(() => assertStorableText('title', value), 'title')).toBe(storable);
          // What is accepted survives a UTF-8 round trip unchanged (what PostgreSQL stores).
          if (storable) expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
        },
      ),
      RUNS,
    );
  });

  it('any JSON value is accepted as metadata or refused as BAD_USER_INPUT on metadata', () => {
    const values = fc.oneof(
      fc.jsonValue({ maxDepth: 14 }),
      fc.object({
        maxDepth: 12,
        maxKeys: 30,
        key: fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(values, (metadata) => {
        if (acceptedOrBadInput(() => assertMetadataShape(metadata), 'metadata')) {
          expect(() => JSON.stringify(metadata)).not.toThrow();
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('nesting of any depth is answered without recursion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.boolean(), (depth, arrays) => {
        let value: unknown = 'leaf';
        for (let i = 0; i < depth; i++) value = arrays ? [value] : { k: value };
        const metadata = arrays ? { list: value } : value;
        const topDepth = arrays ? depth + 1 : depth;
        expect(acceptedOrBadInput(() => assertMetadataShape(metadata), 'metadata')).toBe(
          topDepth <= MAX_METADATA_DEPTH,
        );
      }),
      { numRuns: 50 },
    );
  });
});
