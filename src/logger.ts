import pino, { type DestinationStream, type Logger } from 'pino';

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
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'authorization',
          'token',
          'password',
          '*.secretAccessKey',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
