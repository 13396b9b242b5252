import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signToken } from '../../src/api/auth';
import type { Role } from '../../src/services/actor';
import type { TypedDocumentString } from '../generated/graphql';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-use';

export interface GqlResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

/** What a remote client of a running service has: its URL, tokens, GraphQL over HTTP and WebSocket. */
export interface ServiceClient {
  url: string;
  wsUrl: string;
  token(userId: string, role?: Role): string;
  /** POST a typed operation (test/operations, generated); returns the parsed body and HTTP status. */
  gql<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables?: TVariables,
    token?: string | null,
  ): Promise<GqlResponse<TResult>>;
  /** POST an operation written in the test, e.g. one the server must refuse. */
  gql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResponse<T>>;
  /** A graphql-ws client authenticated as `token`; closed by `closeClients()`. */
  ws(token: string | null): WsClient;
  closeClients(): Promise<void>;
}

/** A client for the service at `url` (its /graphql endpoint), signing tokens with `jwtSecret`. */
export function serviceClient(url: string, jwtSecret = TEST_JWT_SECRET): ServiceClient {
  const wsUrl = url.replace(/^http/, 'ws');
  const wsClients: WsClient[] = [];
  return {
    url,
    wsUrl,
    token: (userId, role = 'USER') => signToken(jwtSecret, { userId, role }),
    async gql(
      query: string | TypedDocumentString<unknown, unknown>,
      variables?: unknown,
      bearer?: string | null,
    ) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: JSON.stringify({ query: String(query), variables }),
      });
      const body = (await response.json()) as GqlResponse<any>;
      return { status: response.status, data: body.data, errors: body.errors };
    },
    ws(bearer) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: bearer ? { authorization: `Bearer ${bearer}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      wsClients.push(client);
      return client;
    },
    async closeClients() {
      await Promise.all(wsClients.splice(0).map((client) => client.dispose()));
    },
  };
}
