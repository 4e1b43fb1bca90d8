import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createPasswords } from './core/accounts/passwords.js';
import { providerCallbacks } from './core/generations/provider-callbacks.js';
import { RuntimeState } from './core/runtime/state.js';
import { SigningKeyCache } from './core/signing/key-cache.js';
import { databaseFailure, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { deriveKey } from './lib/crypto.js';
import { createLogger } from './lib/logger.js';
import { logMailer, smtpMailer, type Mailer } from './lib/mailer.js';
import { createProvider } from './lib/providers/index.js';
import { connectRedis } from './lib/redis-connect.js';
import { loadServerSecret } from './lib/server-secret.js';
import { createBlobStore } from './lib/storage/index.js';
import { createStripeGateway } from './lib/stripe.js';
import { systemClock, type Clock } from './lib/time.js';
import { createWorkers, type Workers } from './workers.js';

declare module './context.js' {
  interface Context {
    /**
     * The runtime check's state between requests (snapshots, change feed, statistics), built
     * here: declared here rather than in context.ts, which imports nothing of core.
     */
    runtime: RuntimeState;
    /** Projects' signing keys, unsealed and kept for a few seconds (signed answers, license files). */
    signingKeys: SigningKeyCache;
  }
}

export interface ContextOverrides {
  log?: Logger;
  clock?: Clock;
  mailer?: Mailer;
  /** Skip applying migrations (the `migrate` command applies them itself). */
  skipMigrations?: boolean;
}

/** A context with the background work it owns: started by serve and `tollgate worker` only, stopped first by close(). */
export interface ComposedContext extends Context {
  readonly workers: Workers;
}

/** The composition root: config in, every service the core uses wired once, released by one close(). */
export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<ComposedContext> {
  const log = overrides.log ?? createLogger(config.logLevel, config.logFormat);
  const secret = loadServerSecret(config.secret, config.dataDir);
  const database = openDatabase(config);
  let redis: Redis | null = null;
  try {
    if (!overrides.skipMigrations) await migrateToLatest(database.db, database.dialect);
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, log);
  } catch (err) {
    await database.close();
    throw databaseFailure(err, config);
  }
  const stripe = createStripeGateway(config);
  const mailer =
    overrides.mailer ?? (config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, log) : logMailer(log));
  const blobs = await createBlobStore(config);
  const callbacks = providerCallbacks(database.db, config.generations);
  const provider = await createProvider(config.generations, callbacks);
  const clock = overrides.clock ?? systemClock;
  const runtime = new RuntimeState({ db: database.db, log, clock, redis });
  const keys = { jwt: deriveKey(secret, 'jwt'), seal: deriveKey(secret, 'seal') };
  const signingKeys = new SigningKeyCache({ db: database.db, clock, keys });

  const ctx: Context = {
    config,
    db: database.db,
    dialect: database.dialect,
    log,
    clock,
    mailer,
    redis,
    keys,
    blobs,
    provider,
    providerCallbacks: callbacks,
    stripe,
    passwords: createPasswords(config),
    runtime,
    signingKeys,
    async close() {
      // The background work first (it may still write), then the connections.
      await workers.stop();
      await runtime.close();
      await mailer.close?.();
      stripe.close();
      redis?.disconnect();
      blobs.close?.();
      await database.close();
    },
  };
  const workers = createWorkers(ctx, database.inserted);
  return Object.assign(ctx, { workers });
}
