import { ERRORS } from '../errors';

/** Parses an optional ISO-8601 query parameter for the REST twins. */
export function parseDateParam(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw ERRORS.badInput(field, `${field} must be an ISO-8601 date-time`);
  return date;
}

/** Parses an optional whole-number query parameter from 1 to `max` for the REST twins. */
export function parseLimitParam(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw ERRORS.badInput(field, `${field} must be a whole number from 1 to ${max}`);
  }
  return limit;
}
