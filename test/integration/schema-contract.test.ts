import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  DangerousChangeType,
  findBreakingChanges,
  findDangerousChanges,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema, SCHEMA_FILE } from '../../src/schema/build-schema';

// The project's own copy of the shared contract. Its v2 parts are copied in from
// ../shared/api-contract.graphql as each one is implemented, so the fixture never claims more
// than the server serves; once all have landed the two files are identical.
const CONTRACT = path.resolve(__dirname, '../fixtures/api-contract.graphql');

describe('the served schema', () => {
  it('is a superset of the API contract (nothing renamed, removed or retyped)', async () => {
    const served = await buildAppSchema();
    const contract = buildSchema(readFileSync(CONTRACT, 'utf8'));
    const breaking = findBreakingChanges(contract, served);
    expect(breaking.map((change) => change.description)).toEqual([]);
    const changedDefaults = findDangerousChanges(contract, served).filter(
      (change) => change.type === DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE,
    );
    expect(changedDefaults.map((change) => change.description)).toEqual([]);
  });

  it('matches the committed src/schema/schema.graphql (run `npm run codegen` after changing it)', async () => {
    const served = await buildAppSchema();
    const committed = buildSchema(readFileSync(path.resolve(__dirname, '../..', SCHEMA_FILE), 'utf8'));
    expect(printSchema(committed)).toBe(printSchema(served));
  });
});
