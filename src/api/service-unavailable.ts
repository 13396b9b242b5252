import type { ApolloServerPlugin } from '@apollo/server';
import type { ServerResponse } from 'node:http';
import { ErrorCode, ERRORS, SERVICE_RETRY_AFTER_SECONDS } from '../errors';
import { sendJson } from './json-response';

/**
 * Apollo plugin: a response carrying SERVICE_UNAVAILABLE (a dependency is down; the formatter
 * decided that) goes out as HTTP 503 with Retry-After, so HTTP clients and proxies retry it.
 * Over the WebSocket the same error code is the whole signal.
 */
export function serviceUnavailablePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ response }) => {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors ?? [];
        if (!errors.some((error) => error.extensions?.code === ErrorCode.ServiceUnavailable)) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(SERVICE_RETRY_AFTER_SECONDS));
      },
    }),
  };
}

/** The same answer outside Apollo: 503, Retry-After, and the code in the route's own shape. */
export function sendServiceUnavailable(res: ServerResponse, shape: 'graphql' | 'rest'): void {
  const error = ERRORS.serviceUnavailable();
  const body = { message: error.message, code: error.code, ...error.extensions };
  sendJson(
    res,
    503,
    shape === 'graphql'
      ? { errors: [{ message: error.message, extensions: { code: error.code, ...error.extensions } }] }
      : { error: body },
    { 'retry-after': String(SERVICE_RETRY_AFTER_SECONDS) },
  );
}
