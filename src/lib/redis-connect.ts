import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { reasonOf, StartupError } from './startup-error.js';

/**
 * Connects to REDIS_URL, which must answer at start-up. When it does not, the error names
 * the reason the socket gave (ioredis itself only says "Connection is closed."); once
 * connected, later errors are logged as warnings and ioredis reconnects.
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false });
  let lastError: unknown;
  const remember = (err: unknown) => (lastError = err);
  redis.on('error', remember);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const { hostname, port } = new URL(url);
    throw new StartupError(
      `cannot reach Redis at ${hostname || 'localhost'}:${port || 6379} (${reasonOf(lastError ?? err)}): start it, or correct or unset REDIS_URL`,
      {
        cause: lastError ?? err,
      },
    );
  }
  redis.off('error', remember);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  return redis;
}
