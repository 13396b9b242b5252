import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactUrl } from '../log-redaction';

const REQUEST_ID = /^[\w.-]{1,128}$/;

/** The caller's `x-request-id` when it is a sane one, else a new id; echoed on the response. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** What the request log says about a request: enough to find it, nothing a header could leak. */
export function requestSummary(req: IncomingMessage, id: unknown) {
  return {
    id,
    method: req.method,
    // Query strings carry tokens, one-time codes and URL signatures; they never reach the log.
    url: req.url === undefined ? undefined : redactUrl(req.url),
    remoteAddress: req.socket?.remoteAddress,
    userAgent: req.headers['user-agent'],
  };
}

export function responseSummary(res: ServerResponse) {
  return { statusCode: res.statusCode };
}
