import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, Dialect } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createPasswords, type Passwords } from './core/accounts/passwords.js';
import { deriveKey } from './lib/crypto.js';
import { createLogger } from './lib/logger.js';
import { logMailer, smtpMailer, type Mailer } from './lib/mailer.js';
import { loadServerSecret } from './lib/server-secret.js';
import { createStripeGateway, type StripeGateway } from './lib/stripe.js';
import { systemClock, type Clock } from './lib/time.js';

export interface Keys {
  /** HS256 key for access and refresh tokens. */
  jwt: Uint8Array;
  /** AES-256-GCM key for secrets stored at rest. */
  seal: Buffer;
}

export interface Context {
  config: Config;
  db: Db;
  dialect: Dialect;
  log: Logger;
  clock: Clock;
  mailer: Mailer;
  redis: Redis | null;
  keys: Keys;
  /** Every Stripe call goes through here (payments). */
  stripe: StripeGateway;
  /** Password hashing with the configured cost (and the dummy hash for unknown accounts). */
  passwords: Passwords;
  /** Runs `fn` when the context closes (background workers register their flush here). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface ContextOverrides {
  log?: Logger;
  clock?: Clock;
  mailer?: Mailer;
  /** Skip applying migrations (the `migrate` command applies them itself). */
  skipMigrations?: boolean;
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<Context> {
  const log = overrides.log ?? createLogger(config.logLevel, config.logFormat);
  const secret = loadServerSecret(config.secret, config.dataDir);
  const database = openDatabase(config);
  const closers: Array<() => Promise<void> | void> = [];
  let redis: Redis | null = null;
  try {
    if (!overrides.skipMigrations) await migrateToLatest(database.db, database.dialect);
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false });
      redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
      await redis.connect();
    }
  } catch (err) {
    redis?.disconnect();
    await database.close();
    throw err;
  }
  const stripe = createStripeGateway(config);
  const mailer = overrides.mailer ?? (config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, log) : logMailer(log));

  return {
    config,
    db: database.db,
    dialect: database.dialect,
    log,
    clock: overrides.clock ?? systemClock,
    mailer,
    redis,
    keys: { jwt: deriveKey(secret, 'jwt'), seal: deriveKey(secret, 'seal') },
    stripe,
    passwords: createPasswords(config),
    onClose: (fn) => closers.push(fn),
    async close() {
      // Workers flush first (they may still write), then connections go.
      for (const fn of closers.reverse()) await fn();
      await mailer.close?.();
      stripe.close();
      redis?.disconnect();
      await database.close();
    },
  };
}
