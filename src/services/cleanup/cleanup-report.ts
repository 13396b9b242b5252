import { StorageError, StorageObjectNotFound } from '../../storage/storage.adapter';
import type { CleanupCategory, CleanupResult } from './cleanup.types';
import { KeyOrderError } from './key-order';

/** Errors kept per run; a storage outage fails every item, and the result must stay small. */
export const MAX_REPORTED_ERRORS = 100;
/** Orphan examples kept per run. */
export const MAX_ORPHAN_EXAMPLES = 20;

const PROVIDER_CODE = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * A short reason safe to show an admin: which operation failed and the provider's error code,
 * never the message, which may name a bucket, an endpoint or a filesystem path.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof StorageError) {
    const code = error.code && PROVIDER_CODE.test(error.code) ? ` (${error.code})` : '';
    return `storage ${error.operation} failed${code}`;
  }
  if (error instanceof StorageObjectNotFound) return 'object not found';
  if (error instanceof KeyOrderError) return `${error.source} keys not in byte order`;
  const code = (error as { code?: unknown } | null)?.code;
  // node-postgres errors carry a five-character SQLSTATE.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `database error (${code})`;
  return 'unexpected error';
}

/** Counts of one expiry category. */
interface CategoryTally {
  cleaned: number;
  failed: number;
}

/**
 * What one run did, gathered as it goes, with bounded memory: errors and orphan examples are
 * capped, everything else is a counter.
 */
export class CleanupReport {
  readonly categories: Record<CleanupCategory, CategoryTally> = {
    abandoned: { cleaned: 0, failed: 0 },
    failed: { cleaned: 0, failed: 0 },
    infected: { cleaned: 0, failed: 0 },
  };
  storageFreedBytes = 0;
  objectsWithoutRow = 0;
  rowsWithoutObject = 0;
  multipartUploadsWithoutAsset = 0;
  /** True when a phase stopped early (database or listing failure), not just an item. */
  aborted = false;
  private readonly examples: string[] = [];
  private readonly errors: string[] = [];
  private droppedErrors = 0;

  constructor(readonly dryRun: boolean) {}

  /** One item could not be cleaned; the run goes on, and the item is retried next run. */
  itemFailed(subject: string, error: unknown): void {
    this.addError(`${subject}: ${describeFailure(error)}`);
  }

  /** A whole phase stopped; later phases still run. */
  phaseAborted(phase: string, error: unknown): void {
    this.aborted = true;
    this.addError(`${phase} stopped early: ${describeFailure(error)}`);
  }

  /** A phase was skipped on purpose, for a reason worth an admin's attention. */
  phaseSkipped(message: string): void {
    this.addError(message);
  }

  orphanFound(example: string): void {
    if (this.examples.length < MAX_ORPHAN_EXAMPLES) this.examples.push(example);
  }

  toResult(): CleanupResult {
    const errors = [...this.errors];
    if (this.droppedErrors > 0) errors.push(`…and ${this.droppedErrors} more errors (see the logs)`);
    return {
      dryRun: this.dryRun,
      abandonedCleaned: this.categories.abandoned.cleaned,
      failedCleaned: this.categories.failed.cleaned,
      infectedCleaned: this.categories.infected.cleaned,
      storageFreedBytes: this.storageFreedBytes,
      errors,
      orphans: {
        objectsWithoutRow: this.objectsWithoutRow,
        rowsWithoutObject: this.rowsWithoutObject,
        multipartUploadsWithoutAsset: this.multipartUploadsWithoutAsset,
        examples: [...this.examples],
      },
    };
  }

  private addError(message: string): void {
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(message);
    else this.droppedErrors++;
  }
}
