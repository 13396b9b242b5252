import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppServices } from '../app/services';
import { ERRORS, type AppError } from '../errors';
import type { Actor } from '../services/actor';
import type { GraphQLContext } from '../schema/context';
import { authenticate } from './auth';
import { checkOperation, rootFieldCount } from './graphql-limits';
import { LiveOperationsPerUser } from './live-operations';
import { rateLimitedError, RequestBudget } from './rate-limit';

type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Same cap as the HTTP body parser's: no message larger than a request could be. */
export const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;
/**
 * connection_init carries only a token; before it is authenticated, a message past this size
 * closes the socket (1009), so an anonymous peer cannot make the server parse megabytes.
 */
export const WS_MAX_CONNECTION_INIT_BYTES = 16 * 1024;
/** RFC 6455's "message too big". */
const MESSAGE_TOO_BIG = 1009;

interface Session {
  actor: Actor;
  expiresAt: Date;
  /** Distinguishes this connection's operation ids from another's in the per-user tally. */
  connectionId: string;
  /** Ids of this connection's operations counted in the per-user tally. */
  counted: Set<string>;
  expiryTimer: NodeJS.Timeout;
}

export interface WebSocketPolicy {
  budget: RequestBudget;
  /** The same limit rules Apollo validates with over HTTP. */
  rules: readonly ValidationRule[];
}

/**
 * graphql-ws on the HTTP server's `/graphql` path, with the HTTP limits: the token comes in
 * connectionParams ({ authorization: "Bearer …" }) and without a valid one the socket closes with
 * 4401; at the token's expiry it closes with 4403. Every operation is parsed and validated with
 * the same limits as over HTTP, charged to the same per-user budget (RATE_LIMITED), and counted
 * against `WS_MAX_SUBSCRIPTIONS` per connection and `WS_MAX_SUBSCRIPTIONS_PER_USER`.
 */
export function attachWebSocketServer(
  httpServer: Server,
  schema: GraphQLSchema,
  services: AppServices,
  formatError: ErrorFormatter,
  policy: WebSocketPolicy,
) {
  const { config } = services;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: WS_MAX_PAYLOAD_BYTES,
  });
  const sessions = new WeakMap<object, Session>();
  const perUser = new LiveOperationsPerUser(config.websocket.maxOperationsPerUser);
  const maxPerConnection = config.websocket.maxOperationsPerConnection;
  const wsLogger = services.logger.child({ component: 'ws' });
  const reformat = (errors: readonly GraphQLError[]) =>
    errors.map((error) => {
      const formatted = formatError(error.toJSON(), error);
      return new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
    });
  const refusal = (error: AppError) => [new GraphQLError(error.message, { originalError: error })];

  // Registered before graphql-ws's own listener, so it sees every message first.
  const authenticated = new WeakSet<WebSocket>();
  wsServer.on('connection', (socket) => {
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      if (authenticated.has(socket)) return;
      if (messageLength(data) > WS_MAX_CONNECTION_INIT_BYTES)
        socket.close(MESSAGE_TOO_BIG, 'Message too big');
    });
  });

  const release = (session: Session, id: string) => {
    if (session.counted.delete(id)) perUser.release(session.actor.userId, `${session.connectionId}:${id}`);
  };

  const disposable = useServer<{ authorization?: unknown; Authorization?: unknown }>(
    {
      schema,
      onConnect: (ctx) => {
        const socket = ctx.extra.socket;
        // The oversized connection_init was already refused above; graphql-ws still hands it on.
        if (socket.readyState !== socket.OPEN) return false;
        const params = ctx.connectionParams ?? {};
        const result = authenticate(
          config.auth.jwtSecret,
          params.authorization ?? params.Authorization ?? '',
          config.auth.maxTokenTtlSeconds,
        );
        if (!result.actor) {
          socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        const { actor, expiresAt } = result as { actor: Actor; expiresAt: Date };
        const expiryTimer = setTimeout(
          () => socket.close(CloseCode.Forbidden, 'Token expired'),
          Math.max(expiresAt.getTime() - Date.now(), 0),
        );
        expiryTimer.unref();
        sessions.set(ctx, { actor, expiresAt, connectionId: randomUUID(), counted: new Set(), expiryTimer });
        authenticated.add(socket);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const session = sessions.get(ctx);
        if (!session) return refusal(ERRORS.unauthenticated());
        if (session.expiresAt.getTime() <= Date.now()) {
          ctx.extra.socket.close(CloseCode.Forbidden, 'Token expired');
          return refusal(ERRORS.tokenExpired());
        }
        // graphql-ws has already entered this operation in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > maxPerConnection) {
          return refusal(ERRORS.tooManyLiveOperations('connection', maxPerConnection));
        }
        const checked = checkOperation(schema, payload, config.graphqlLimits, policy.rules);
        if ('errors' in checked) return checked.errors;
        const cost = rootFieldCount(checked.document, checked.operation);
        const refused = await policy.budget.charge(RequestBudget.keyOf(session.actor, undefined), cost);
        if (refused) return [rateLimitedError(refused)];
        // Last, so that once counted, graphql-ws runs the operation and onComplete releases it.
        if (!perUser.acquire(session.actor.userId, `${session.connectionId}:${id}`)) {
          return refusal(ERRORS.tooManyLiveOperations('user', config.websocket.maxOperationsPerUser));
        }
        session.counted.add(id);
        return {
          schema,
          document: checked.document,
          operationName: checked.operation.name?.value,
          variableValues: payload.variables ?? undefined,
        };
      },
      onComplete: (ctx, id) => {
        const session = sessions.get(ctx);
        if (session) release(session, id);
      },
      onClose: (ctx) => {
        const session = sessions.get(ctx);
        if (!session) return;
        clearTimeout(session.expiryTimer);
        for (const id of [...session.counted]) release(session, id);
      },
      context: (ctx: Context): GraphQLContext => ({
        actor: sessions.get(ctx)?.actor ?? null,
        services: services.graphql,
        logger: wsLogger,
      }),
      onError: (_ctx, _id, _payload, errors) => reformat(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        'errors' in result && result.errors ? { ...result, errors: reformat(result.errors) } : result,
    },
    wsServer,
  );

  return {
    /** Live operations per user on this process (for tests and metrics). */
    liveOperations: (userId: string) => perUser.count(userId),
    /** Completes every subscription and closes every socket (graceful shutdown). */
    dispose: async () => {
      await disposable.dispose();
    },
  };
}

function messageLength(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
