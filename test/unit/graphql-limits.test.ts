import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rootFieldCount, withoutSuggestions } from '../../src/api/graphql-limits';
import { LiveOperationsPerUser } from '../../src/api/live-operations';

const count = (query: string) => {
  const document = parse(query);
  return rootFieldCount(document, getOperationAST(document)!);
};

describe('what an operation costs against the rate limit', () => {
  it('one point per root field: aliases, inline fragments and fragment spreads count', () => {
    expect(count('{ myAssets { totalCount } }')).toBe(1);
    expect(count('{ a: myAssets { totalCount } b: myAssets { totalCount } }')).toBe(2);
    expect(count('mutation { a: initiateUpload { x } b: initiateUpload { x } c: confirmUpload { y } }')).toBe(
      3,
    );
    expect(
      count(
        '{ ... on Query { a: asset { id } b: asset { id } } ...F } fragment F on Query { c: asset { id } }',
      ),
    ).toBe(3);
  });

  it('__typename alone costs the minimum of one; a fragment spread twice counts once', () => {
    expect(count('{ __typename }')).toBe(1);
    expect(count('{ ...F ...F } fragment F on Query { a: asset { id } b: asset { id } }')).toBe(2);
  });
});

describe('field suggestions', () => {
  it('are cut from graphql-js messages, whatever they suggest', () => {
    expect(withoutSuggestions('Cannot query field "myAsset" on type "Query". Did you mean "myAssets"?')).toBe(
      'Cannot query field "myAsset" on type "Query".',
    );
    expect(
      withoutSuggestions(
        'Value "DRAF" does not exist in "AssetStatus" enum. Did you mean the enum value "DRAFT"?',
      ),
    ).toBe('Value "DRAF" does not exist in "AssetStatus" enum.');
  });
});

describe('live operations per user', () => {
  it('caps a user, not their neighbours, and frees a slot on release', () => {
    const live = new LiveOperationsPerUser(2);
    expect(live.acquire('u', 'c1:1')).toBe(true);
    expect(live.acquire('u', 'c2:1')).toBe(true);
    expect(live.acquire('u', 'c2:2')).toBe(false);
    expect(live.acquire('v', 'c3:1')).toBe(true);
    live.release('u', 'c1:1');
    live.release('u', 'never-acquired');
    expect(live.count('u')).toBe(1);
    expect(live.acquire('u', 'c2:2')).toBe(true);
  });
});
