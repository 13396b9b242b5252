import { ERRORS } from '../../errors';

/** Deepest nesting of objects and arrays in an asset's metadata (the top-level object is 1). */
export const MAX_METADATA_DEPTH = 10;
/** Object keys in an asset's metadata, counted at every level. */
const MAX_METADATA_KEYS = 256;
/** Longest metadata key, in UTF-16 units. */
const MAX_METADATA_KEY_LENGTH = 256;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `value` cannot be stored as text, or null: PostgreSQL refuses U+0000 in text and JSON, and
 * a lone surrogate has no UTF-8 form (it would silently become U+FFFD).
 */
function unstorableText(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it contains an unpaired surrogate)';
  return null;
}

/** Throws BAD_USER_INPUT naming `field` when a string input cannot be stored as it was sent. */
export function assertStorableText(field: string, value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const problem = unstorableText(value);
  if (problem) throw ERRORS.badInput(field, `${field} ${problem}`);
}

/**
 * Checks an asset's metadata before anything recursive (JSON.stringify, the ORM, the driver) sees
 * it: a JSON object at most {@link MAX_METADATA_DEPTH} deep with at most {@link MAX_METADATA_KEYS}
 * keys, every key and string storable. The walk is iterative and stops at the first problem, so
 * 10,000 levels of nesting cost as little as eleven. Throws BAD_USER_INPUT on `metadata`.
 */
export function assertMetadataShape(metadata: unknown): void {
  const refuse = (message: string) => {
    throw ERRORS.badInput('metadata', `metadata ${message}`);
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    refuse('must be a JSON object');
  }
  let keys = 0;
  const pending: Array<{ value: unknown; depth: number }> = [{ value: metadata, depth: 1 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem) refuse(`values ${problem}`);
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) refuse('numbers must be finite');
    // Only what JSON can carry: a caller inside the process could hand over anything.
    if (
      value === undefined ||
      typeof value === 'function' ||
      typeof value === 'symbol' ||
      typeof value === 'bigint'
    ) {
      refuse('must hold only JSON values');
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_METADATA_DEPTH) refuse(`must be nested at most ${MAX_METADATA_DEPTH} levels deep`);
    const children = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        keys++;
        if (keys > MAX_METADATA_KEYS) refuse(`must have at most ${MAX_METADATA_KEYS} keys`);
        if (key.length > MAX_METADATA_KEY_LENGTH) {
          refuse(`keys must be at most ${MAX_METADATA_KEY_LENGTH} characters`);
        }
        const problem = unstorableText(key);
        if (problem) refuse(`keys ${problem}`);
      }
    }
    for (const child of children) pending.push({ value: child, depth: depth + 1 });
  }
}
