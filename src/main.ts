import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { ConfigError, readEnv, toConfig, type Config } from './config.js';
import { createContext } from './compose.js';
import { createOperator, ensureOperator } from './core/accounts/operators.js';
import { setDeveloperTier } from './core/accounts/set-tier.js';
import { CLI, SYSTEM } from './core/audit/record-audit.js';
import { DomainError } from './core/errors.js';
import { TIER_NAMES } from './core/plans/tiers.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { tuneHeap } from './lib/heap.js';

const USAGE = `Usage: tollgate <command> [options]

Commands:
  serve                                   start the HTTP server (default)
  worker                                  run generation jobs only (no HTTP); as many as you like
  migrate                                 apply database migrations and exit
  create-operator --email <email> [--name <full name>]
                                          create a platform operator; prints its key once
  set-tier --developer <email|id> --tier <${TIER_NAMES.join('|')}>
                                          move a developer to another plan tier

Configuration comes from the environment; see the README.`;

async function serve(config: Config): Promise<void> {
  tuneHeap(config);
  const ctx = await createContext(config);
  if (config.operator) {
    const outcome = await ensureOperator(ctx, SYSTEM, config.operator.email, config.operator.key);
    ctx.log.info({ operator: config.operator.email, outcome }, 'operator from TOLLGATE_OPERATOR_EMAIL ensured');
  }
  const app = await buildApp(ctx);
  ctx.workers.startServing();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down');
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  // The bound port, which differs from config.port when that is 0 (any free port).
  const { port } = app.server.address() as AddressInfo;
  const where = config.database.dialect === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : config.database.sqliteFile;
  ctx.log.info(
    { database: where, redis: config.redisUrl ? 'configured' : 'not configured' },
    `Tollgate listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} — API reference at /docs. ` +
      (config.operator ? '' : 'Create the first operator with: npx tollgate create-operator --email you@example.com'),
  );
}

/** Runs generation jobs until SIGTERM/SIGINT; in-flight jobs go back to pending on the way out. */
async function worker(config: Config): Promise<void> {
  tuneHeap(config);
  const ctx = await createContext(config);
  ctx.workers.startJobs();
  // The job loop's timer does not hold a process open, and on SQLite nothing else does (no
  // socket, unlike a PostgreSQL pool): without this the worker would exit once it is idle.
  const alive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'worker shutting down');
    await ctx.close();
    clearInterval(alive);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  ctx.log.info(
    { provider: config.generations.provider, storage: ctx.blobs.kind, concurrency: config.generations.concurrency },
    'Tollgate worker running generation jobs',
  );
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, developer: { type: 'string' }, tier: { type: 'string' } },
    strict: true,
  });
  const config = toConfig(readEnv());
  switch (command) {
    case 'serve':
      await serve(config);
      return -1;
    case 'worker':
      await worker(config);
      return -1;
    case 'migrate': {
      const { db, dialect, close } = openDatabase(config);
      try {
        const result = await migrateToLatest(db, dialect);
        const applied = result.results?.map((r) => r.migrationName) ?? [];
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await close();
      }
      return 0;
    }
    case 'create-operator': {
      if (!values.email) throw new UsageError('create-operator needs --email');
      const ctx = await createContext({ ...config, logLevel: 'warn' });
      try {
        const { key } = await createOperator(ctx, CLI, { email: values.email, fullName: values.name ?? null });
        console.log(`Operator ${values.email} created.\nOperator key (shown once, store it now):\n\n  ${key}\n`);
        console.log('Register a developer with it: POST /api/v1/auth/register with header X-Operator-Key.');
      } finally {
        await ctx.close();
      }
      return 0;
    }
    case 'set-tier': {
      if (!values.developer || !values.tier) throw new UsageError('set-tier needs --developer and --tier');
      const ctx = await createContext({ ...config, logLevel: 'warn' });
      try {
        const r = await setDeveloperTier(ctx, CLI, { developer: values.developer, tier: values.tier });
        console.log(`${r.email} is now on ${r.tier}.`);
      } finally {
        await ctx.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`tollgate: ${(err as Error).message}\n\n${USAGE}`);
    } else if (err instanceof ConfigError) {
      console.error(`tollgate: configuration error: ${err.message}`);
    } else if (err instanceof DomainError) {
      console.error(`tollgate: ${err.fields[0]?.message ?? err.message}`);
    } else {
      console.error('tollgate: failed:', err);
    }
    process.exit(1);
  },
);
