import { format } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, SECRET_HEADER_PATHS } from './log-redaction';

export type { Logger };

/**
 * The process's root logger: pino JSON, with secrets redacted wherever they might appear.
 * Writes to stdout unless given another destination (tests read what it logged).
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          ...SECRET_HEADER_PATHS,
          'headers.authorization',
          'authorization',
          'token',
          'password',
          '*.secretAccessKey',
          '*.apiKey',
        ],
        censor: REDACTED,
      },
    },
    destination,
  );
}

/**
 * Where the process logs: pino-pretty (colours, local times, one line per event) when a person
 * is watching (stdout is a terminal) outside production; otherwise undefined, meaning pino's
 * JSON on stdout, which is what log collectors read. pino-pretty is a development dependency,
 * so an install without it logs JSON too.
 */
export function consoleDestination(options: { isProduction: boolean }): DestinationStream | undefined {
  if (options.isProduction || !process.stdout.isTTY) return undefined;
  let pretty: typeof import('pino-pretty');
  try {
    pretty = require('pino-pretty');
  } catch {
    return undefined;
  }
  // Synchronous, so nothing logged just before an exit is lost.
  return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}

/**
 * Sends what libraries print with console.* (BullMQ and ioredis warn and dump errors that way)
 * through `logger`, so every line a process writes stays one JSON object.
 */
export function routeConsoleThroughLogger(logger: Logger): void {
  const to =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      logger[level]({ ...(error ? { err: error } : {}), console: format(...args) }, 'library console output');
    };
  console.debug = to('debug');
  console.log = to('info');
  console.info = to('info');
  console.warn = to('warn');
  console.error = to('error');
}
