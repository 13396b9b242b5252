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
