import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: its headers and the exact body bytes as text. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed `body`. */
  json: any;
}

/**
 * Decides the answer to the n-th request (0-based); return nothing to leave the request
 * hanging (the receiver then never answers it until it closes).
 */
export type Responder = (request: ReceivedWebhook, index: number, res: ServerResponse) => void;

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests the receiver has not answered yet and that the sender has not given up on. */
  open(): number;
  close(): Promise<void>;
}

/** Answers 204 to everything: a healthy receiver. */
export const acceptAll: Responder = (_request, _index, res) => {
  res.writeHead(204).end();
};

/** A real HTTP server on a free loopback port, recording every request it gets. */
export async function startWebhookReceiver(respond: Responder = acceptAll): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let open = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { headers: req.headers, body, json: JSON.parse(body) };
      received.push(request);
      open++;
      res.on('close', () => open--);
      respond(request, received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/uploads`,
    received,
    open: () => open,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
