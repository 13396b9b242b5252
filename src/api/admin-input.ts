import { ERRORS } from '../errors';
import { AnalyticsRangeError } from '../services/analytics/analytics-range';

/** Turns analytics' refusals into the contract's BAD_USER_INPUT, naming the field. */
export async function withAnalyticsInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AnalyticsRangeError) throw ERRORS.badInput(error.field, error.message);
    throw error;
  }
}

/** Parses an optional ISO-8601 query parameter for the REST twins. */
export function parseDateParam(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw ERRORS.badInput(field, `${field} must be an ISO-8601 date-time`);
  return date;
}
