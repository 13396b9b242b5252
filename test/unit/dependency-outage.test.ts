import { describe, expect, it } from 'vitest';
import { dependencyOutage } from '../../src/dependency-outage';
import { StorageError } from '../../src/storage/storage.adapter';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('dependencyOutage', () => {
  it('names PostgreSQL outages: MikroORM-wrapped refusals, shutdown SQLSTATEs, pool timeouts', () => {
    const driver = Object.assign(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), {
      name: 'DriverException',
    });
    expect(dependencyOutage(driver)).toBe('database');
    expect(dependencyOutage(withCode('terminating connection due to administrator command', '57P01'))).toBe(
      'database',
    );
    expect(
      dependencyOutage(new Error('Knex: Timeout acquiring a connection. The pool is probably full.')),
    ).toBe('database');
    expect(dependencyOutage(new Error('Connection terminated unexpectedly'))).toBe('database');
  });

  it('names Redis outages', () => {
    const retries = Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(dependencyOutage(retries)).toBe('redis');
    expect(dependencyOutage(new Error('Connection is closed.'))).toBe('redis');
  });

  it('names storage only when the provider marked the failure unavailable', () => {
    const down = new StorageError('Storage head failed', { operation: 'head', unavailable: true });
    const denied = new StorageError('Storage head failed', {
      operation: 'head',
      code: 'AccessDenied',
      status: 403,
    });
    expect(dependencyOutage(down)).toBe('storage');
    expect(dependencyOutage(new Error('wrapped', { cause: down }))).toBe('storage');
    expect(dependencyOutage(denied)).toBeNull();
  });

  it('leaves everything else alone', () => {
    expect(dependencyOutage(new Error('boom'))).toBeNull();
    expect(dependencyOutage(withCode('duplicate key value', '23505'))).toBeNull();
    expect(dependencyOutage('a string')).toBeNull();
    expect(dependencyOutage(undefined)).toBeNull();
  });
});
