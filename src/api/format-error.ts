import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, isAppError } from '../errors';
import type { Logger } from '../logger';

/** Codes Apollo and graphql-js produce for bad requests; they are safe to pass through. */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one place errors leave the server: known errors keep their code and message; anything
 * else becomes INTERNAL_SERVER_ERROR with the detail only in the log. Never a stack trace.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

    if (isAppError(original)) {
      return {
        ...base,
        message: original.message,
        extensions: { code: original.code, ...original.extensions },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      const field = code === 'BAD_USER_INPUT' ? offendingField(formatted.message) : undefined;
      return { ...base, extensions: { code, ...(field ? { field } : {}) } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.Internal } };
  };
}

/**
 * The input field a variable-coercion error is about: `Field "fileName" of required type …` for a
 * missing one, else the last segment of `… at "input.fileSize"`, else the variable itself.
 */
function offendingField(message: string): string | undefined {
  const missing = /Field "([A-Za-z0-9_]+)" of required type/.exec(message)?.[1];
  if (missing) return missing;
  const at = /at "([^"]+)"/.exec(message)?.[1];
  if (at)
    return at
      .split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '');
  return /^Variable "\$([A-Za-z0-9_]+)"/.exec(message)?.[1];
}
