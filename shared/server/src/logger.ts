import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs; secrets never appear in them (tokens and passwords are redacted).
 * `destination` defaults to stdout; tests pass a stream to read what was logged.
 */
export function createLogger(name: string, level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
