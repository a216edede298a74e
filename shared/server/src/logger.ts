import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; secrets never appear in them (tokens and passwords are redacted). */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
