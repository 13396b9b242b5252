import WebSocket from 'ws';

/** A graphql-transport-ws message as it travels on the wire. */
export interface WireMessage {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * A WebSocket speaking graphql-transport-ws by hand, frame by frame, with no client library in
 * between: what an attacker's script would send. Every received message is kept in order.
 */
export interface RawGraphQLSocket {
  socket: WebSocket;
  received: WireMessage[];
  /** Resolves with the close code and reason once the server (or we) closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: WireMessage | string): void;
  /** The first received message (from now or already kept) matching `predicate`. */
  next(predicate: (message: WireMessage) => boolean, timeoutMs?: number): Promise<WireMessage>;
  /** connection_init with `payload`, resolving at connection_ack. */
  init(payload: Record<string, unknown>): Promise<void>;
  /** Sends subscribe `id` and resolves with the first next/error for it. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): Promise<WireMessage>;
  close(): Promise<void>;
}

export async function openRawSocket(wsUrl: string): Promise<RawGraphQLSocket> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const received: WireMessage[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    received.push(JSON.parse(String(data)) as WireMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  // A refused socket may still emit errors (e.g. a reset); the close code is what tests read.
  socket.on('error', () => undefined);

  const next: RawGraphQLSocket['next'] = (predicate, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`no matching message in ${timeoutMs} ms: ${JSON.stringify(received)}`)),
        timeoutMs,
      );
      let seen = 0;
      const look = () => {
        for (; seen < received.length; seen++) {
          if (predicate(received[seen])) {
            clearTimeout(deadline);
            return resolve(received[seen]);
          }
        }
        if (socket.readyState === WebSocket.CLOSED) {
          clearTimeout(deadline);
          return reject(new Error(`socket closed before a matching message: ${JSON.stringify(received)}`));
        }
        waiters.push(look);
      };
      look();
    });

  const send = (message: WireMessage | string) =>
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));

  return {
    socket,
    received,
    closed,
    send,
    next,
    async init(payload) {
      send({ type: 'connection_init', payload });
      await next((m) => m.type === 'connection_ack');
    },
    async subscribe(id, query, variables) {
      send({ type: 'subscribe', id, payload: { query, variables } });
      return next((m) => m.id === id && (m.type === 'next' || m.type === 'error'));
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}
