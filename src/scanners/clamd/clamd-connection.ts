import net from 'node:net';
import type { Readable } from 'node:stream';
import { errorCode, errorMessage } from '../../error-details';

/** Where clamd listens, and how long to wait for it. */
export interface ClamdEndpoint {
  host: string;
  port: number;
  /** Give up connecting after this long; a blackholed host otherwise hangs for minutes. */
  connectTimeoutMs: number;
  /**
   * Give up once the socket has been silent in both directions for this long. It covers clamd
   * scanning for too long, clamd not reading our chunks, and our source stalling.
   */
  idleTimeoutMs: number;
}

/** clamd could not be reached at all: refused, unresolvable, or no answer to the connect. */
export class ClamdUnreachableError extends Error {
  override name = 'ClamdUnreachableError';
}

/** clamd was reached, but the exchange broke off before a complete reply. */
export class ClamdExchangeError extends Error {
  override name = 'ClamdExchangeError';
}

/**
 * Largest INSTREAM chunk we send. clamd would take bigger ones (only the total is limited, by
 * StreamMaxLength), but bigger chunks only add memory per scan, not speed.
 */
export const MAX_INSTREAM_CHUNK = 64 * 1024;

// Replies are one short line; anything longer is not clamd talking.
const MAX_REPLY_BYTES = 64 * 1024;
const END_OF_STREAM = Buffer.alloc(4);

/**
 * Sends one `z`-command (`PING`, `VERSION`…) on a fresh connection and returns clamd's reply
 * without its NUL terminator.
 */
export async function sendClamdCommand(
  endpoint: ClamdEndpoint,
  command: string,
  signal?: AbortSignal,
): Promise<string> {
  const socket = await connectToClamd(endpoint, signal);
  const onAbort = () => socket.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const reply = readReply(socket, endpoint);
    socket.write(`z${command}\0`);
    return await reply;
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}

/**
 * Streams `source` to clamd with INSTREAM and returns its reply (e.g. `stream: OK`).
 *
 * Reads `source` only as fast as clamd takes the bytes (awaits `drain`), so memory stays at a
 * few chunks whatever the object's size. Consumes and destroys `source` in every case.
 *
 * Rejects with {@link ClamdUnreachableError} or {@link ClamdExchangeError} for trouble with clamd,
 * with `signal.reason` when aborted, and with the source's own error when reading it fails.
 */
export async function sendInstream(
  endpoint: ClamdEndpoint,
  source: Readable,
  options: { chunkSize: number; signal?: AbortSignal },
): Promise<string> {
  const { chunkSize, signal } = options;
  let socket: net.Socket | undefined;
  let sending: Promise<void> | undefined;
  const onAbort = () => socket?.destroy();
  try {
    socket = await connectToClamd(endpoint, signal);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) socket.destroy();
    let replied = false;
    const reply = readReply(socket, endpoint).finally(() => {
      replied = true;
    });
    const connection = socket;
    // clamd answers early (and closes) when the stream exceeds its StreamMaxLength; stop then.
    const stopSending = () => replied || connection.destroyed || !connection.writable;
    let sentEverything = false;
    sending = writeInstream(connection, source, chunkSize, stopSending).then((completed) => {
      sentEverything = completed;
    });
    // A failing source rejects the race; a reply (or a broken connection) ends the sending.
    await Promise.race([sending, reply.then(ignore, ignore)]);
    try {
      return await reply;
    } catch (error) {
      throw explainHangUp(error, sentEverything);
    }
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    socket?.destroy();
    // Unblocks a writer still waiting on the source; the error that causes is expected.
    source.destroy();
    sending?.catch(ignore);
  }
}

/**
 * clamd hangs up mid-stream when the stream passes its StreamMaxLength. It replies first, but
 * when our next write fails (EPIPE/ECONNRESET) Node drops the socket before reading that reply,
 * so the likely cause is named here. EPIPE always comes from a write; a reset after everything
 * was sent is something else (clamd crashing, say).
 */
function explainHangUp(error: unknown, sentEverything: boolean): unknown {
  const code = errorCode(error instanceof Error ? error.cause : undefined);
  const midStream = code === 'EPIPE' || (code === 'ECONNRESET' && !sentEverything);
  if (!(error instanceof ClamdExchangeError) || !midStream) return error;
  return new ClamdExchangeError(
    `clamd closed the connection while the object was still being sent (${code}), most likely because ` +
      "it is larger than clamd's StreamMaxLength",
    { cause: error },
  );
}

function connectToClamd(endpoint: ClamdEndpoint, signal?: AbortSignal): Promise<net.Socket> {
  const where = `${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const fail = (error: unknown) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error) =>
      fail(
        new ClamdUnreachableError(
          `clamd at ${where} is unreachable (${errorCode(error) ?? errorMessage(error)})`,
          {
            cause: error,
          },
        ),
      );
    const onAbort = () => fail(signal?.reason);
    const timer = setTimeout(
      () =>
        fail(
          new ClamdUnreachableError(
            `clamd at ${where} did not accept a connection within ${endpoint.connectTimeoutMs} ms`,
          ),
        ),
      endpoint.connectTimeoutMs,
    );
    function cleanup() {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    }
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves with everything clamd sends up to its NUL terminator, or up to the close when it
 * closes without one. Write errors (EPIPE, ECONNRESET: clamd hung up while we were still
 * sending) do not reject by themselves: the reply that explains them may already be here.
 */
function readReply(socket: net.Socket, endpoint: ClamdEndpoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let socketError: Error | undefined;
    let settled = false;

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.off('data', onData);
      socket.off('timeout', onTimeout);
      socket.off('close', onClose);
      // The 'error' listener stays: a late EPIPE must not become an uncaught exception.
      outcome();
    };
    const onData = (data: Buffer) => {
      received.push(data);
      receivedBytes += data.length;
      const text = Buffer.concat(received);
      const end = text.indexOf(0);
      if (end >= 0) {
        settle(() => resolve(text.subarray(0, end).toString('utf8')));
      } else if (receivedBytes > MAX_REPLY_BYTES) {
        settle(() =>
          reject(
            new ClamdExchangeError(`clamd sent more than ${MAX_REPLY_BYTES} bytes without ending its reply`),
          ),
        );
      }
    };
    const onTimeout = () => {
      settle(() =>
        reject(
          new ClamdExchangeError(
            `no traffic with clamd at ${endpoint.host}:${endpoint.port} for ${endpoint.idleTimeoutMs} ms (clamd busy or stuck, or the object stream stalled)`,
          ),
        ),
      );
      socket.destroy();
    };
    const onError = (error: Error) => {
      socketError ??= error;
    };
    const onClose = () => {
      const text = Buffer.concat(received).toString('utf8');
      if (text.length > 0) {
        settle(() => resolve(text));
        return;
      }
      const why = socketError ? ` (${errorCode(socketError) ?? errorMessage(socketError)})` : '';
      settle(() =>
        reject(
          new ClamdExchangeError(`clamd closed the connection without a reply${why}`, { cause: socketError }),
        ),
      );
    };

    socket.setTimeout(endpoint.idleTimeoutMs);
    socket.on('data', onData);
    socket.on('timeout', onTimeout);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** Sends the INSTREAM command, the chunks and the terminator; false when told to stop early. */
async function writeInstream(
  socket: net.Socket,
  source: Readable,
  chunkSize: number,
  shouldStop: () => boolean,
): Promise<boolean> {
  socket.write('zINSTREAM\0');
  for await (const data of source) {
    const bytes: Buffer = typeof data === 'string' ? Buffer.from(data) : data;
    // Empty pieces are skipped: a zero length prefix would end the stream early.
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      if (shouldStop()) return false;
      const piece = bytes.subarray(offset, offset + chunkSize);
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeUInt32BE(piece.length, 0);
      // Corked so the prefix and its chunk leave in one write instead of a 4-byte packet.
      socket.cork();
      socket.write(prefix);
      const roomLeft = socket.write(piece);
      socket.uncork();
      if (!roomLeft) await drainedOrClosed(socket);
    }
  }
  if (shouldStop()) return false;
  socket.write(END_OF_STREAM);
  return true;
}

function drainedOrClosed(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function ignore(): void {}
