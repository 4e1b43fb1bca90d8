import fs from 'node:fs';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { createOperator } from '../core/accounts/operators.js';
import { rotateOperatorKey } from '../core/accounts/rotate-operator-key.js';
import { setDeveloperTier } from '../core/accounts/set-tier.js';
import { CLI } from '../core/audit/record-audit.js';
import { describeDatabase, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { StartupError } from '../lib/startup-error.js';

export type AdminCommand = 'migrate' | 'create-operator' | 'set-tier' | 'rotate-operator-key';

export interface AdminOptions {
  email?: string;
  name?: string;
  developer?: string;
  tier?: string;
  /** Whether the user named the database (DATA_DIR, --data-dir or DATABASE_URL) rather than taking ./data of this folder. */
  locationChosen: boolean;
}

export class UsageError extends Error {}

/**
 * An admin command runs beside a server, on its database: it says which database that is,
 * and will not quietly make a new empty one because it was run from another folder (the
 * default DATA_DIR is ./data of the current folder). A new database is made only where the
 * user named one, by the commands that can start from nothing, and it says so.
 */
function openingNote(command: AdminCommand, config: Config, options: AdminOptions): string {
  const { sqliteFile } = config.database;
  const missing = config.database.dialect === 'sqlite' && sqliteFile !== ':memory:' && !fs.existsSync(sqliteFile);
  if (!missing) return `Database: ${describeDatabase(config, 'long')}`;
  const canStartEmpty = command === 'migrate' || command === 'create-operator';
  if (!options.locationChosen) {
    throw new StartupError(
      `no database at ${sqliteFile}: run this from the folder where the server runs (DATA_DIR defaults to ./data there), or name its data directory with --data-dir or DATA_DIR`,
    );
  }
  if (!canStartEmpty)
    throw new StartupError(`no database at ${sqliteFile}: check --data-dir, DATA_DIR or DATABASE_URL`);
  return `Database: created a new, empty SQLite database ${sqliteFile}`;
}

async function withContext<T>(config: Config, fn: (ctx: Context) => Promise<T>): Promise<T> {
  // Loaded only now: the checks above answer without loading the whole server (seconds).
  const { createContext } = await import('../compose.js');
  const ctx = await createContext({ ...config, logLevel: 'warn' });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function migrate(config: Config): Promise<void> {
  const { db, dialect, close } = openDatabase(config);
  try {
    const result = await migrateToLatest(db, dialect);
    const applied = result.results?.map((r) => r.migrationName) ?? [];
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await close();
  }
}

function printKey(heading: string, key: string): void {
  console.log(`${heading}\nOperator key (shown once, store it now):\n\n  ${key}\n`);
}

export async function runAdminCommand(command: AdminCommand, config: Config, options: AdminOptions): Promise<void> {
  const { email, developer, tier } = options;
  if ((command === 'create-operator' || command === 'rotate-operator-key') && !email)
    throw new UsageError(`${command} needs --email`);
  if (command === 'set-tier' && (!developer || !tier)) throw new UsageError('set-tier needs --developer and --tier');
  console.log(openingNote(command, config, options));
  switch (command) {
    case 'migrate':
      return migrate(config);
    case 'create-operator':
      return withContext(config, async (ctx) => {
        const { key } = await createOperator(ctx, CLI, { email: email!, fullName: options.name ?? null });
        printKey(`Operator ${email} created.`, key);
        console.log('Register a developer with it: POST /api/v1/auth/register with header X-Operator-Key.');
      });
    case 'set-tier':
      return withContext(config, async (ctx) => {
        const r = await setDeveloperTier(ctx, CLI, { developer: developer!, tier: tier! });
        console.log(`${r.email} is now on ${r.tier}.`);
      });
    case 'rotate-operator-key':
      return withContext(config, async (ctx) => {
        const { key, revoked } = await rotateOperatorKey(ctx, CLI, email!);
        printKey(
          `New operator key for ${email}; ${revoked === 1 ? 'its old key is' : `its ${revoked} old keys are`} revoked.`,
          key,
        );
      });
  }
}
