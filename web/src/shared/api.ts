import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../../generated/graphql';
import { ApiError } from './errors';

/** Same origin: the page, the API and the WebSocket share one server. */
const GRAPHQL_PATH = '/graphql';

type GraphQLBody<T> = { data?: T | null; errors?: { extensions?: Record<string, unknown> }[] };

/**
 * POSTs a typed operation to /graphql with the bearer token and returns its `data`; any GraphQL
 * error becomes an {@link ApiError} carrying the first error's code.
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  token: string,
): Promise<TResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new ApiError('NETWORK_ERROR');
  }
  let body: GraphQLBody<TResult>;
  try {
    body = (await response.json()) as GraphQLBody<TResult>;
  } catch {
    throw new ApiError(response.status === 429 ? 'RATE_LIMITED' : 'UNEXPECTED_RESPONSE', {
      status: response.status,
    });
  }
  if (body.errors?.length) throw ApiError.fromGraphQL(body.errors[0]);
  if (!response.ok || !body.data) throw new ApiError('UNEXPECTED_RESPONSE', { status: response.status });
  return body.data;
}

/** ws: or wss: to match the page. */
function webSocketUrl(): string {
  const url = new URL(GRAPHQL_PATH, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** A graphql-ws client that signs in with `token` (in connectionParams, never in the URL). */
export function liveClient(token: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: webSocketUrl(),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: options.retryAttempts ?? 0,
  });
}

/** An {@link ApiError} for whatever graphql-ws hands its error sink (close events, error lists). */
export function liveError(error: unknown): ApiError {
  if (Array.isArray(error) && error.length > 0) return ApiError.fromGraphQL(error[0]);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 4401) return new ApiError('UNAUTHENTICATED');
  if (code === 4403) return new ApiError('FORBIDDEN');
  if (code === 4429) return new ApiError('RATE_LIMITED');
  return new ApiError('LIVE_STATUS_FAILED');
}

/** Handlers of {@link subscribe}. */
export interface LiveHandlers<TResult> {
  next(data: TResult): void;
  error(error: ApiError): void;
  complete?(): void;
}

/** Subscribes to a typed operation; returns the function that stops it. */
export function subscribe<TResult, TVariables>(
  client: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  handlers: LiveHandlers<TResult>,
): () => void {
  return client.subscribe<TResult>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) handlers.error(ApiError.fromGraphQL(result.errors[0]));
        else if (result.data) handlers.next(result.data);
      },
      error: (error) => handlers.error(liveError(error)),
      complete: () => handlers.complete?.(),
    },
  );
}
