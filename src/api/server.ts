import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import helmet from 'helmet';
import { corsFor } from './cors';
import type { GraphQLSchema } from 'graphql';
import { pinoHttp } from 'pino-http';
import type { AppServices } from '../app/services';
import type { Actor } from '../services/actor';
import type { GraphQLContext } from '../schema/context';
import { authenticate } from './auth';
import { answerInvalidToken, graphqlHttpHandler, isGraphqlPost } from './graphql-http';
import { answerRequestError } from './request-errors';
import { requestIdFor, requestSummary, responseSummary } from './request-log';
import type { Logger } from '../logger';
import { createErrorFormatter } from './format-error';
import { serviceUnavailablePlugin } from './service-unavailable';
import { healthRoutes } from './health.routes';
import { createLocalStorageRouter } from './local-storage.routes';
import { limitParseOptions, limitRules } from './graphql-limits';
import { operationCostPlugin, rateLimit, RequestBudget } from './rate-limit';
import { attachWebSocketServer } from './websocket';
import { ADMIN_REST_PATH, createAdminRoutes } from './admin.routes';
import { queueBoardRoutes } from './queue-board.routes';
import { webClientRoutes } from './web-client.routes';
import { graphqlMetricsPlugin, httpMetricsMiddleware } from '../app/instrumentation';

/** JSON bodies of GraphQL requests, on both doors to /graphql. */
const GRAPHQL_BODY_LIMIT = '1mb';

export interface ApiServer {
  httpServer: Server;
  url: string;
  /** Live graphql-ws operations a user holds on this process. */
  liveOperations(userId: string): number;
  /** Stops accepting connections, completes subscriptions, drains in-flight requests. */
  close(): Promise<void>;
}

interface AuthedRequest extends Request {
  actor?: Actor | null;
}

/** GraphQL over HTTP and WebSocket on one port, with health, metrics and the local upload routes. */
export async function startApiServer(services: AppServices, schema: GraphQLSchema): Promise<ApiServer> {
  const { config, logger } = services;
  const app = express();
  app.disable('x-powered-by');
  // No ETag on JSON answers (GraphQL POSTs, REST twins, health): nobody revalidates them, and
  // hashing every body was a tenth of a trivial request. Static files keep theirs (serve-static).
  app.set('etag', false);
  // Security headers everywhere; the content policy is set per surface (the upload page has its
  // own, Apollo Sandbox needs its CDN).
  // Thumbnails and downloads served by the local provider may be shown by web apps on the
  // CORS origins, so resources are only restricted to this site when there are none.
  const securityHeaders = helmet({
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: config.corsOrigins.length > 0 ? 'cross-origin' : 'same-site' },
  });
  app.use(securityHeaders);
  const cors = config.corsOrigins.length > 0 ? corsFor(config.corsOrigins) : null;
  const trustProxy = 'loopback';
  app.set('trust proxy', trustProxy);
  // Node enforces headersTimeout and requestTimeout when it sweeps its connections (every 30 s
  // by default); sweeping more often makes the limits hold close to their value.
  const connectionsCheckingInterval = Math.min(Math.max(config.httpLimits.headersTimeoutMs / 4, 250), 5000);
  const httpServer = createServer({ connectionsCheckingInterval });
  // Slow-loris guards: headers must arrive within headersTimeout; a whole request within
  // requestTimeout, which is long because local-provider uploads stream through this server
  // (their own idle timeout and minimum rate cut off bodies that stall or crawl).
  httpServer.headersTimeout = config.httpLimits.headersTimeoutMs;
  httpServer.requestTimeout = config.httpLimits.requestTimeoutMs;
  if (config.httpLimits.maxConnections > 0) httpServer.maxConnections = config.httpLimits.maxConnections;
  const formatError = createErrorFormatter(logger, { hideSuggestions: config.isProduction });
  const budget = new RequestBudget(services.redis, {
    prefix: config.redis.keyPrefix,
    perMinute: config.rateLimitPerMinute,
    logger,
  });
  const rules = limitRules(config.graphqlLimits);
  // Who a GraphQL context's operations are charged to (the address only for anonymous callers).
  const budgetKeys = new WeakMap<GraphQLContext, string>();

  const ws = attachWebSocketServer(httpServer, schema, services, formatError, { budget, rules });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: rules,
    parseOptions: limitParseOptions(config.graphqlLimits),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      graphqlMetricsPlugin(services.metrics),
      serviceUnavailablePlugin<GraphQLContext>(),
      operationCostPlugin<GraphQLContext>(
        budget,
        (context) => budgetKeys.get(context) ?? RequestBudget.keyOf(context.actor, undefined),
      ),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
      // Apollo Sandbox (from Apollo's CDN) at GET /graphql when GRAPHQL_IDE names it.
      config.graphqlIde.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const httpLogger = logger.child({ component: 'http' });
  const authenticateHeader = (header: unknown) =>
    authenticate(config.auth.jwtSecret, header, config.auth.maxTokenTtlSeconds);
  const contextFor = (actor: Actor | null, address: string | undefined, requestLogger: () => Logger) => {
    // The request's child logger is made only if a resolver logs: most requests never do.
    const context: GraphQLContext = {
      actor,
      services: services.graphql,
      get logger() {
        return requestLogger();
      },
    };
    budgetKeys.set(context, RequestBudget.keyOf(actor, address));
    return context;
  };
  const graphqlPost = graphqlHttpHandler({
    apollo,
    headers: cors ? [securityHeaders, cors] : [securityHeaders],
    authenticate: authenticateHeader,
    budget,
    context: contextFor,
    metrics: services.metrics,
    logger: httpLogger,
    trustProxy,
    bodyLimit: GRAPHQL_BODY_LIMIT,
  });
  // POST /graphql, the hot path, skips Express (see graphql-http.ts); the rest is Express's.
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isGraphqlPost(req)) graphqlPost(req, res);
    else app(req, res);
  });

  app.use(
    pinoHttp({
      logger: httpLogger,
      genReqId: (req, res) => requestIdFor(req, res),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // Loggers handed to resolvers carry the request id only; the one line per request carries
      // what identifies it. Copying and redacting every header twice per request (the defaults)
      // cost more than the rest of the logging together.
      quietReqLogger: true,
      wrapSerializers: false,
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => requestSummary(req, req.id),
        res: responseSummary,
      },
    }),
  );
  app.use(httpMetricsMiddleware(services.metrics));
  if (cors) app.use(cors);
  // Authentication runs once per request; a token that does not verify is refused, never ignored.
  const authenticateRequest: express.RequestHandler = (req: AuthedRequest, res, next) => {
    const result = authenticateHeader(req.headers.authorization);
    if (!result.actor && 'invalid' in result && result.invalid) return answerInvalidToken(res);
    req.actor = result.actor;
    next();
  };
  const limit = rateLimit(budget, { actorOf: (req) => (req as AuthedRequest).actor ?? null });

  // /graphql's other methods: GET (the landing page, GET queries) and preflights.
  app.use(
    '/graphql',
    authenticateRequest,
    limit,
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        const log = (req as Request & { log?: Logger }).log ?? logger;
        return contextFor((req as AuthedRequest).actor ?? null, req.ip, () => log);
      },
    }),
  );
  // Under its own path, so other requests (the queue board, 404s) skip its token check and budget.
  app.use(ADMIN_REST_PATH, authenticateRequest, limit, createAdminRoutes(services));
  // After the API: these routers see every request that reaches them (the page's content policy
  // and the static files run for any path), so API requests pass them by.
  app.use(healthRoutes(readinessChecks(services), services.metrics.registry, services.scanner));
  if (services.localStorage) {
    const onError = (error: unknown, req: Request) =>
      ((req as Request & { log?: typeof logger }).log ?? logger).error(
        { err: error },
        'local storage request failed',
      );
    app.use(
      createLocalStorageRouter(services.localStorage, {
        onError,
        pace: config.uploadPut,
        acceptsUpload: (key) => services.uploads.acceptsUploadTo(key),
        acceptsPart: (key, uploadId) => services.multipart.acceptsPart(key, uploadId),
      }),
    );
  }
  app.use(webClientRoutes({ graphiql: config.graphqlIde.graphiql }));

  app.use(
    queueBoardRoutes(services.queues.all, {
      redis: services.redis,
      prefix: config.redis.keyPrefix,
      jwtSecret: config.auth.jwtSecret,
      maxTokenTtlSeconds: config.auth.maxTokenTtlSeconds,
      logger,
      secureCookies: config.isProduction,
    }),
  );

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'Not found' } });
  });
  // Last resort: a malformed body is the client's fault; anything else is logged, never shown.
  app.use((error: unknown, req: Request, res: express.Response, _next: express.NextFunction) => {
    answerRequestError(error, res, {
      graphql: req.originalUrl.startsWith('/graphql'),
      log: (req as Request & { log?: Logger }).log ?? logger,
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.http.port, config.http.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  if (!config.http.publicUrlIsExplicit) {
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    services.publicUrl.current = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  }
  const url = `${services.publicUrl.current}/graphql`;

  return {
    httpServer,
    url,
    liveOperations: ws.liveOperations,
    close: async () => {
      await apollo.stop();
    },
  };
}

function readinessChecks(services: AppServices) {
  return {
    postgres: () => services.assets.ping(),
    redis: async () => {
      await services.redis.ping();
    },
    storage: () => services.storage.ping(),
  };
}
