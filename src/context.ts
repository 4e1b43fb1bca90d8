import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, Dialect } from './config.js';
import { RuntimeState } from './core/licenses/runtime-state.js';
import { databaseFailure, openDatabase, type Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { blobCleanup, type BlobCleanup } from './core/generations/blob-cleanup.js';
import { generationJobs, type GenerationJobs } from './core/generations/job-loop.js';
import { providerCallbacks, type ProviderCallbacks } from './core/generations/provider-callbacks.js';
import { createPasswords, type Passwords } from './core/accounts/passwords.js';
import { deriveKey } from './lib/crypto.js';
import { createLogger } from './lib/logger.js';
import { logMailer, smtpMailer, type Mailer } from './lib/mailer.js';
import { connectRedis } from './lib/redis-connect.js';
import { loadServerSecret } from './lib/server-secret.js';
import { createStripeGateway, type StripeGateway } from './lib/stripe.js';
import { systemClock, type Clock } from './lib/time.js';
import { createProvider } from './lib/providers/index.js';
import type { GenerationProvider } from './lib/providers/provider.js';
import { createBlobStore } from './lib/storage/index.js';
import type { BlobStore } from './lib/storage/blob-store.js';

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
  /** The runtime check's state between requests (snapshots, change feed, statistics). */
  runtime: RuntimeState;
  /** Example and result images of generations (local files or S3). */
  blobs: BlobStore;
  /** The image generator GENERATION_PROVIDER chose. */
  provider: GenerationProvider;
  /** Provider callbacks (Replicate's webhooks) on their way from the webhook route to the job waiting for them. */
  providerCallbacks: ProviderCallbacks;
  /** The generation job loop; started only by serve and `tollgate worker`. */
  generationJobs: GenerationJobs;
  /** Removes the images of deleted generations from the blob store (started with the job loop). */
  blobCleanup: BlobCleanup;
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
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, log);
  } catch (err) {
    await database.close();
    throw databaseFailure(err, config);
  }
  const stripe = createStripeGateway(config);
  const mailer = overrides.mailer ?? (config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, log) : logMailer(log));
  const blobs = await createBlobStore(config);
  const callbacks = providerCallbacks(database.db, config.generations);
  const provider = await createProvider(config.generations, callbacks);
  const clock = overrides.clock ?? systemClock;
  const jobs = generationJobs({ db: database.db, dialect: database.dialect, clock, config, blobs, provider, log });
  const cleanup = blobCleanup({ db: database.db, clock, config, blobs, log });

  const ctx: Context = {
    config,
    db: database.db,
    dialect: database.dialect,
    log,
    clock,
    mailer,
    redis,
    keys: { jwt: deriveKey(secret, 'jwt'), seal: deriveKey(secret, 'seal') },
    runtime: undefined as unknown as RuntimeState,
    blobs,
    provider,
    providerCallbacks: callbacks,
    generationJobs: jobs,
    blobCleanup: cleanup,
    stripe,
    passwords: createPasswords(config),
    onClose: (fn) => closers.push(fn),
    async close() {
      // Workers flush first (they may still write), then connections go.
      await jobs.stop();
      await cleanup.stop();
      for (const fn of closers.reverse()) await fn();
      await ctx.runtime.close();
      await mailer.close?.();
      stripe.close();
      redis?.disconnect();
      blobs.close?.();
      await database.close();
    },
  };
  ctx.runtime = new RuntimeState(ctx);
  return ctx;
}
