import { ERRORS } from '../errors';

/** Parses an optional ISO-8601 query parameter for the REST twins. */
export function parseDateParam(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw ERRORS.badInput(field, `${field} must be an ISO-8601 date-time`);
  return date;
}
