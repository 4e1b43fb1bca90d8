import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, Dialect } from './config.js';
import type { Db } from './db/database.js';
import type { Mailer } from './lib/mailer.js';
import type { CallbackInbox, GenerationProvider } from './lib/providers/provider.js';
import type { BlobStore } from './lib/storage/blob-store.js';
import type { StripeGateway } from './lib/stripe.js';
import type { Clock } from './lib/time.js';

/*
 * The Context type, which nearly every core file imports: so this file imports nothing of
 * core (only types from config, db and lib, which import nothing of it either), and there is no
 * import cycle through it. What core implements is declared here as a small interface; the
 * context is built above core, in compose.ts, which also declares the one field whose type
 * is a whole core subsystem (`runtime`, the runtime check's state).
 */

export interface Keys {
  /** HS256 key for access and refresh tokens. */
  jwt: Uint8Array;
  /** AES-256-GCM key for secrets stored at rest. */
  seal: Buffer;
}

/** Password hashing with the configured cost (core/accounts/passwords.ts). */
export interface Passwords {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a missing account, in about the same time. */
  verify(stored: string | null, password: string): Promise<boolean>;
}

/** Provider callbacks on their way from the webhook route to the job waiting for them (core/generations/provider-callbacks.ts). */
export interface ProviderCallbacks extends CallbackInbox {
  /** A callback for the generation was just stored by this process: wake its job if it runs here. */
  arrived(generationId: string): void;
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
  /** Example and result images of generations (local files or S3). */
  blobs: BlobStore;
  /** The image generator GENERATION_PROVIDER chose. */
  provider: GenerationProvider;
  providerCallbacks: ProviderCallbacks;
  /** Every Stripe call goes through here (payments). */
  stripe: StripeGateway;
  passwords: Passwords;
  /** Stops the background work, then releases everything the context opened. */
  close(): Promise<void>;
}
