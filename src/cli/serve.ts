import type { AddressInfo } from 'node:net';
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { createContext } from '../compose.js';
import type { Context } from '../context.js';
import { ensureOperator, hasOperator } from '../core/accounts/operators.js';
import { SYSTEM } from '../core/audit/record-audit.js';
import { describeDatabase } from '../db/database.js';
import { tuneHeap } from '../lib/heap.js';
import { listenFailure } from '../lib/listen-check.js';

/** How the README runs the command line from the checkout (npx would look for a published package). */
export const CLI_COMMAND = 'npm run tollgate --';

/** On the first SIGINT or SIGTERM: log it, run `stop`, exit 0 (a second signal while stopping is ignored). */
function exitOnSignal(ctx: Context, message: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, message);
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
}

export async function serve(config: Config): Promise<void> {
  tuneHeap(config);
  const ctx = await createContext(config);
  if (config.operator) {
    const outcome = await ensureOperator(ctx, SYSTEM, config.operator.email, config.operator.key);
    ctx.log.info({ operator: config.operator.email, outcome }, 'operator from TOLLGATE_OPERATOR_EMAIL ensured');
  }
  const app = await buildApp(ctx);
  ctx.workers.startServing();
  exitOnSignal(ctx, 'shutting down', async () => {
    await app.close();
    await ctx.close();
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await ctx.close();
    throw listenFailure(err, config.host, config.port);
  }
  // The bound port, which differs from config.port when that is 0 (any free port).
  const { port } = app.server.address() as AddressInfo;
  const firstOperator = (await hasOperator(ctx))
    ? ''
    : `Create the first operator with: ${CLI_COMMAND} create-operator --email you@example.com`;
  ctx.log.info(
    {
      version: config.version,
      database: describeDatabase(config, 'short'),
      redis: config.redisUrl ? 'configured' : 'not configured',
    },
    `Tollgate listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} — API reference at /docs. ${firstOperator}`.trimEnd(),
  );
}

/** Runs generation jobs until SIGTERM/SIGINT; in-flight jobs go back to pending on the way out. */
export async function worker(config: Config): Promise<void> {
  tuneHeap(config);
  const ctx = await createContext(config);
  ctx.workers.startJobs();
  // The job loop's timer does not hold a process open, and on SQLite nothing else does (no
  // socket, unlike a PostgreSQL pool): without this the worker would exit once it is idle.
  const alive = setInterval(() => {}, 1 << 30);
  exitOnSignal(ctx, 'worker shutting down', async () => {
    await ctx.close();
    clearInterval(alive);
  });
  ctx.log.info(
    {
      provider: config.generations.provider,
      storage: ctx.blobs.kind,
      concurrency: config.generations.concurrency,
      database: describeDatabase(config, 'short'),
    },
    'Tollgate worker running generation jobs',
  );
}
