import pino, { type Logger } from 'pino';

export type { Logger };

/** The process's root logger: pino JSON, with secrets redacted wherever they might appear. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
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
  });
}
