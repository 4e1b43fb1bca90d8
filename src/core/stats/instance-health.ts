import type { Context } from '../../context.js';
import { databaseVersion } from '../../db/database.js';

type HealthCtx = Pick<Context, 'db' | 'dialect' | 'redis' | 'blobs' | 'clock' | 'log'>;

/** The database: its version when it answers. The driver's error text may name hosts or users: it stays out. */
export async function databaseHealth(ctx: HealthCtx) {
  const timestamp = ctx.clock.now().toISOString();
  try {
    const version = await databaseVersion(ctx.db, ctx.dialect);
    return { status: 'healthy', version, connection: ctx.dialect === 'postgres' ? 'postgresql' : 'sqlite', timestamp };
  } catch {
    ctx.log.warn('database health check failed');
    return { status: 'unhealthy', connection: ctx.dialect, error: 'Database is not reachable', timestamp };
  }
}

export async function redisHealth(ctx: HealthCtx) {
  const timestamp = ctx.clock.now().toISOString();
  if (!ctx.redis) return { status: 'not_configured', type: 'memory', timestamp };
  try {
    await ctx.redis.ping();
    return { status: 'healthy', type: 'redis', listening: true, connection_failed: false, timestamp };
  } catch {
    return { status: 'unhealthy', type: 'redis', connection_failed: true, error: 'Redis is not reachable', timestamp };
  }
}

/** The real blob store: the data directory's writability, or the S3 bucket's reachability. */
export async function storageHealth(ctx: HealthCtx) {
  return { ...(await ctx.blobs.health()), timestamp: ctx.clock.now().toISOString() };
}

/** The generation provider: failing when, over the last hour, most generations that ended failed (at least three). */
async function providerProblem(ctx: HealthCtx): Promise<string | null> {
  const since = new Date(ctx.clock.now().getTime() - 3_600_000);
  const rows = await ctx.db
    .selectFrom('generations')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('updated_at', '>=', since)
    .where('status', 'in', ['completed', 'failed'])
    .groupBy('status')
    .execute();
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return n('failed') >= 3 && n('failed') > n('completed')
    ? `Most generations of the last hour failed (${n('failed')} of ${n('failed') + n('completed')}): check the generation provider.`
    : null;
}

/** One part of the instance, in words: `off` is a part deliberately not set up (Redis, SMTP), not a fault. */
export interface HealthCheck {
  name: string;
  status: 'ok' | 'off' | 'warning' | 'error';
  summary: string;
}

const PROVIDER_NAMES = { local: 'The built-in local generator', replicate: 'Replicate', openai: 'OpenAI' } as const;

/** Database, Redis, storage, the generation provider and mail, each with its status in words. */
export async function componentChecks(
  ctx: HealthCtx & Pick<Context, 'config' | 'mailer' | 'provider'>,
): Promise<HealthCheck[]> {
  const [db, redis, storage] = await Promise.all([databaseHealth(ctx), redisHealth(ctx), storageHealth(ctx)]);
  const store = ctx.blobs.kind === 's3' ? 'S3 bucket' : 'data directory';
  const provider = db.status === 'unhealthy' ? null : await providerProblem(ctx).catch(() => null);
  const mailOff = ctx.mailer.kind === 'log';
  return [
    db.status === 'unhealthy'
      ? { name: 'Database', status: 'error', summary: 'The database is not answering.' }
      : { name: 'Database', status: 'ok', summary: 'version' in db ? String(db.version) : 'Answering.' },
    redis.status === 'unhealthy'
      ? {
          name: 'Redis',
          status: 'error',
          summary:
            'Redis is not reachable; rate limits fall back to per-process counters and changes reach other processes by polling.',
        }
      : redis.status === 'not_configured'
        ? { name: 'Redis', status: 'off', summary: 'Not configured (REDIS_URL): rate limits are counted per process.' }
        : { name: 'Redis', status: 'ok', summary: 'Answering.' },
    storage.status === 'unhealthy'
      ? { name: 'Storage', status: 'error', summary: `The ${store} for images is not usable.` }
      : { name: 'Storage', status: 'ok', summary: `The ${store} for images is writable.` },
    provider
      ? { name: 'Generation provider', status: 'error', summary: provider }
      : {
          name: 'Generation provider',
          status: 'ok',
          summary: `${PROVIDER_NAMES[ctx.provider.name]}; no run of failures in the last hour.`,
        },
    mailOff && ctx.config.requireEmailVerification
      ? {
          name: 'Mail',
          status: 'error',
          summary:
            'Email verification is required but no SMTP server is set (SMTP_URL): codes are only written to the server log.',
        }
      : mailOff
        ? {
            name: 'Mail',
            status: 'off',
            summary: 'No SMTP server is set (SMTP_URL): mail is written to the server log.',
          }
        : {
            name: 'Mail',
            status: 'ok',
            summary:
              ctx.mailer.kind === 'smtp' ? 'Sent through the SMTP server.' : 'Sent through the configured mailer.',
          },
  ];
}

/**
 * What is wrong with the instance right now, in words for the developer dashboard's banner
 * (empty when all is well): the parts of componentChecks that are in error.
 */
export async function instanceProblems(
  ctx: HealthCtx & Pick<Context, 'config' | 'mailer' | 'provider'>,
): Promise<string[]> {
  return (await componentChecks(ctx)).filter((c) => c.status === 'error').map((c) => c.summary);
}
