import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
