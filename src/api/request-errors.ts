import type { ServerResponse } from 'node:http';
import { dependencyOutage } from '../dependency-outage';
import type { Logger } from '../logger';
import { sendServiceUnavailable } from './service-unavailable';
import { sendJson } from './json-response';

/**
 * The last-resort answer to a request that failed outside GraphQL's own error handling: a
 * malformed or oversized body is the client's fault (its 4xx status kept); a dependency that is
 * down is 503 SERVICE_UNAVAILABLE (retry later); anything else is logged and answered 500
 * without detail. GraphQL clients read `errors`; the REST twins `{ error }`.
 */
export function answerRequestError(
  error: unknown,
  res: ServerResponse,
  options: { graphql: boolean; log: Logger },
): void {
  const status = (error as { status?: number }).status;
  const clientFault = status !== undefined && status >= 400 && status < 500;
  const down = clientFault ? null : dependencyOutage(error);
  if (down) options.log.warn({ err: error, dependency: down }, 'dependency unavailable');
  else if (!clientFault) options.log.error({ err: error }, 'unhandled request error');
  // Too late for an answer of its own: cut the response short rather than append to it.
  if (res.headersSent) return void res.destroy();
  if (down) return sendServiceUnavailable(res, options.graphql ? 'graphql' : 'rest');
  const body = clientFault
    ? { code: 'BAD_USER_INPUT', message: 'Malformed request' }
    : { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
  const payload = options.graphql
    ? { errors: [{ message: body.message, extensions: { code: body.code } }] }
    : { error: body };
  sendJson(res, clientFault ? status : 500, payload);
}
