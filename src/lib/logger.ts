import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Header and body fields that carry credentials: never written to the log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-developer-key"]',
  'req.headers["x-operator-key"]',
  'req.headers["x-license-key"]',
  'password',
  'key',
  'token',
];

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * JSON lines for machines (a pipe, a file, a log collector); one readable, coloured line per
 * entry when a person watches a terminal. `auto` decides by whether stdout is a TTY.
 */
export function createLogger(level: string, format: LogFormat = 'auto', isTTY = Boolean(process.stdout.isTTY)): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'pretty' || (format === 'auto' && isTTY)) {
    // In-process and synchronous (no worker thread to close): a terminal is not a hot path.
    return pino(
      options,
      pretty({ colorize: isTTY, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
    );
  }
  return pino(options);
}
