import { readFileSync } from 'node:fs';
import path from 'node:path';
import { existsSync } from 'node:fs';
import {
  buildSchema,
  DangerousChangeType,
  findBreakingChanges,
  findDangerousChanges,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema, SCHEMA_FILE } from '../../src/schema/build-schema';

// The shared contract beside the clone is the source of truth; the fixture is its last copy.
const SHARED_CONTRACT = path.resolve(__dirname, '../../../shared/api-contract.graphql');
const CONTRACT = existsSync(SHARED_CONTRACT)
  ? SHARED_CONTRACT
  : path.resolve(__dirname, '../fixtures/api-contract.graphql');

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
