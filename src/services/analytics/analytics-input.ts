import { ERRORS } from '../../errors';
import { AnalyticsRangeError } from './analytics-range';

/** Turns analytics' refusals into the contract's BAD_USER_INPUT, naming the field. */
export async function withAnalyticsInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AnalyticsRangeError) throw ERRORS.badInput(error.field, error.message);
    throw error;
  }
}
