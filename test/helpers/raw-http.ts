import net from 'node:net';
import type { InitiatedUpload } from './upload';

/** A PUT written by hand on a raw socket, so a test controls exactly when each byte goes out. */
export interface RawPut {
  socket: net.Socket;
  /** Everything the server answered, once it closed the socket. */
  response: Promise<string>;
  /** Resolves with the status code of the first response line (0 when the socket closed without one). */
  status: Promise<number>;
  write(bytes: string): void;
}

const openSockets: net.Socket[] = [];

/** Keeps `socket` to be destroyed by {@link closeRawSockets}. */
export function trackSocket(socket: net.Socket): net.Socket {
  openSockets.push(socket);
  return socket;
}

/** Destroys every socket opened through this module (call in afterEach). */
export function closeRawSockets(): void {
  for (const socket of openSockets.splice(0)) socket.destroy();
}

/** Starts a PUT to `upload`'s URL with its headers and `declaredLength`; the body is written by the test. */
export function rawPut(upload: InitiatedUpload, declaredLength: number): Promise<RawPut> {
  const url = new URL(upload.uploadUrl);
  return new Promise((resolve, reject) => {
    const socket = trackSocket(net.connect(Number(url.port), url.hostname));
    let received = '';
    const statusOf = () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
    const response = new Promise<string>((done) => {
      socket.on('close', () => done(received));
    });
    const status = new Promise<number>((done) => {
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (statusOf()) done(statusOf());
      });
      socket.on('close', () => done(statusOf()));
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
          `Content-Type: ${upload.uploadHeaders['Content-Type']}\r\nContent-Length: ${declaredLength}\r\n\r\n`,
      );
      resolve({ socket, response, status, write: (bytes) => socket.write(bytes) });
    });
    socket.once('error', reject);
  });
}
