import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import proxyAddr from 'proxy-addr';
import type { Logger } from '../logger';
import type { AppMetrics } from '../observability/metrics';
import type { Actor } from '../services/actor';
import type { GraphQLContext } from '../schema/context';
import type { AuthResult } from './auth';
import { answerRequestError } from './request-errors';
import { requestIdFor, requestSummary, responseSummary } from './request-log';
import { answerRateLimited, RequestBudget } from './rate-limit';
import { sendJson } from './json-response';

/** Connect-style middleware (helmet, cors) run as they are, so both doors send the same headers. */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface GraphqlHttpOptions {
  apollo: ApolloServer<GraphQLContext>;
  /** Security headers (helmet), and CORS when origins are configured. */
  headers: readonly Middleware[];
  authenticate(header: unknown): AuthResult;
  budget: RequestBudget;
  context(actor: Actor | null, address: string | undefined, logger: () => Logger): GraphQLContext;
  metrics: AppMetrics;
  /** Request lines go here (`component: http`), as pino-http writes them for the other routes. */
  logger: Logger;
  /** Express's `trust proxy` setting: whose X-Forwarded-For is believed for the caller's address. */
  trustProxy: string;
  bodyLimit: string;
}

/** True for the requests {@link graphqlHttpHandler} answers: POST /graphql (any query string). */
export function isGraphqlPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  return url === '/graphql' || url.startsWith('/graphql?');
}

/**
 * POST /graphql straight on Node's request handler, ahead of Express: the API's hot path.
 * Express's router and pino-http's per-request child logger cost about as much as Apollo's whole
 * execution of a trivial query (bench/http.bench.ts, `--cpu-prof`), so this does the same work
 * directly, in the same order: request id, security headers, CORS, the request's metric and log
 * line, the token (401), the caller's budget (429), the JSON body (1 MB), then Apollo. GET
 * /graphql (the landing page), preflights and every other path stay with Express.
 */
export function graphqlHttpHandler(
  options: GraphqlHttpOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, metrics, logger } = options;
  const readJson = express.json({ limit: options.bodyLimit }) as unknown as Middleware;
  const trusted = proxyAddr.compile(options.trustProxy);

  const execute = async (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
    context: GraphQLContext,
  ) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers,
        search: query < 0 ? '' : url.slice(query),
        body: req.body,
      },
      context: () => Promise.resolve(context),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    const id = requestIdFor(req, res);
    let requestLogger: Logger | undefined;
    const logOfRequest = () => (requestLogger ??= logger.child({ reqId: id }));
    res.once('finish', () => {
      // The metric's timer gives the duration (seconds) the log line reports too.
      const seconds = stopTimer({ method: 'POST', route: '/graphql', status: String(res.statusCode) });
      const line = {
        req: requestSummary(req, id),
        res: responseSummary(res),
        responseTime: Math.round(seconds * 1000),
      };
      if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    const fail = (error: unknown) => answerRequestError(error, res, { graphql: true, log: logOfRequest() });

    let step = 0;
    const next = (error?: unknown) => {
      if (error) return fail(error);
      const middleware = options.headers[step++];
      if (middleware) return middleware(req, res, next);
      void admit().catch(fail);
    };
    const admit = async () => {
      const auth = options.authenticate(req.headers.authorization);
      if (!auth.actor && 'invalid' in auth && auth.invalid) return answerInvalidToken(res);
      const address = proxyAddr(req, trusted);
      const refused = await options.budget.charge(RequestBudget.keyOf(auth.actor, address), 1);
      if (refused) return answerRateLimited(res, refused);
      const context = options.context(auth.actor, address, logOfRequest);
      readJson(req, res, (error) => {
        if (error) return fail(error);
        execute(req, res, context).catch(fail);
      });
    };
    next();
  };
}

/** A token that does not verify is refused, never ignored (an anonymous caller has none). */
export function answerInvalidToken(res: ServerResponse): void {
  sendJson(res, 401, {
    errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
  });
}
