import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Dialect } from '../config.js';
import { accountsAndProjects } from './migrations/001-accounts-projects.js';
import { licensing } from './migrations/002-licensing.js';
import { runtimeFeed } from './migrations/003-runtime-feed.js';
import { licenseExpiry } from './migrations/004-license-expiry.js';
import { webhooksAudit } from './migrations/006-webhooks-audit.js';
import { generations } from './migrations/005-generations.js';
import { consoleSessions } from './migrations/008-console-sessions.js';
import { hotPath } from './migrations/009-hot-path.js';
import { payments } from './migrations/007-payments.js';
import { generationCleanup } from './migrations/013-generation-cleanup.js';
import { generationEndedIndex } from './migrations/014-generation-ended-index.js';
import { signInGeneration } from './migrations/015-sign-in-generation.js';
import { subscriptionAnswerOrder } from './migrations/016-subscription-answer-order.js';
import { signingKeys } from './migrations/020-signing-keys.js';
import { devices } from './migrations/021-devices.js';
import { keyReroll } from './migrations/022-key-reroll.js';
import { typesFor, type TollgateMigration } from './migrations/types.js';

/** In order; the names are recorded in the database, so never rename one that has shipped. */
const MIGRATIONS: Record<string, TollgateMigration> = {
  '001-accounts-projects': accountsAndProjects,
  '002-licensing': licensing,
  '003-runtime-feed': runtimeFeed,
  '004-license-expiry': licenseExpiry,
  '006-webhooks-audit': webhooksAudit,
  '005-generations': generations,
  '008-console-sessions': consoleSessions,
  '009-hot-path': hotPath,
  '007-payments': payments,
  '013-generation-cleanup': generationCleanup,
  '014-generation-ended-index': generationEndedIndex,
  '015-sign-in-generation': signInGeneration,
  '016-subscription-answer-order': subscriptionAnswerOrder,
  '020-signing-keys': signingKeys,
  '021-devices': devices,
  '022-key-reroll': keyReroll,
};

/** Applies every migration not yet applied; with `upTo`, stops after that one (tests of a migration's data step use it). */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, upTo?: string): Promise<MigrationResultSet> {
  const t = typesFor(dialect);
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (d) => m.up(d, t) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'tollgate_migrations',
    migrationLockTableName: 'tollgate_migrations_lock',
  });
  const result = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
