import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AppServices } from '../app/services';
import type { Actor } from '../services/actor';
import type { GraphQLContext } from '../schema/context';
import { authenticate } from './auth';

type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * graphql-ws on the HTTP server's `/graphql` path. The token comes in connectionParams
 * ({ authorization: "Bearer …" }); without a valid one the socket closes with 4401.
 */
export function attachWebSocketServer(
  httpServer: Server,
  schema: GraphQLSchema,
  services: AppServices,
  formatError: ErrorFormatter,
) {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const actors = new WeakMap<object, Actor>();
  const wsLogger = services.logger.child({ component: 'ws' });
  const reformat = (errors: readonly GraphQLError[]) =>
    errors.map((error) => {
      const formatted = formatError(error.toJSON(), error);
      return new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
    });

  const disposable = useServer<{ authorization?: unknown; Authorization?: unknown }>(
    {
      schema,
      onConnect: (ctx) => {
        const params = ctx.connectionParams ?? {};
        const result = authenticate(
          services.config.auth.jwtSecret,
          params.authorization ?? params.Authorization ?? '',
        );
        if (!result.actor) {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        actors.set(ctx, result.actor);
        return true;
      },
      context: (ctx): GraphQLContext => ({
        actor: actors.get(ctx) ?? null,
        services,
        logger: wsLogger,
      }),
      onError: (_ctx, _id, _payload, errors) => reformat(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        'errors' in result && result.errors ? { ...result, errors: reformat(result.errors) } : result,
    },
    wsServer,
  );

  return {
    /** Completes every subscription and closes every socket (graceful shutdown). */
    dispose: async () => {
      await disposable.dispose();
    },
  };
}
