import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { dependencyOutage } from '../dependency-outage';
import { ERRORS, ErrorCode, isAppError, type AppError } from '../errors';
import type { Logger } from '../logger';
import { withoutSuggestions } from './graphql-limits';

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
 * The one place errors leave the server: known errors keep their code and message; a dependency
 * that is down becomes SERVICE_UNAVAILABLE (see serviceUnavailablePlugin for its HTTP status);
 * anything else becomes INTERNAL_SERVER_ERROR with the detail only in the log. Never a stack trace.
 */
export function createErrorFormatter(logger: Logger, options: { hideSuggestions?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = appErrorOf(error) ?? unwrapResolverError(error);
    const message = options.hideSuggestions ? withoutSuggestions(formatted.message) : formatted.message;
    const base = { message, locations: formatted.locations, path: formatted.path };

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
    const down = dependencyOutage(original);
    if (down) {
      logger.warn({ err: original, dependency: down, path: formatted.path }, 'dependency unavailable');
      const unavailable = ERRORS.serviceUnavailable();
      return {
        ...base,
        message: unavailable.message,
        extensions: { code: unavailable.code, ...unavailable.extensions },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.Internal } };
  };
}

/** An AppError raised outside a resolver (a plugin, the WebSocket hooks) arrives wrapped once. */
function appErrorOf(error: unknown): AppError | undefined {
  const unwrapped = unwrapResolverError(error);
  if (isAppError(unwrapped)) return unwrapped;
  if (unwrapped instanceof GraphQLError && isAppError(unwrapped.originalError))
    return unwrapped.originalError;
  return undefined;
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
