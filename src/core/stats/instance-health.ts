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
  return n('failed') >= 3 && n('failed') > n('completed') ? `Most generations of the last hour failed (${n('failed')} of ${n('failed') + n('completed')}): check the generation provider.` : null;
}

/**
 * What is wrong with the instance right now, in words for the console's banner (empty when
 * all is well): database, Redis, storage, the generation provider, and mail when verification
 * is required but no SMTP server is set (codes then go to the server log only).
 */
export async function instanceProblems(ctx: HealthCtx & Pick<Context, 'config' | 'mailer'>): Promise<string[]> {
  const [db, redis, storage] = await Promise.all([databaseHealth(ctx), redisHealth(ctx), storageHealth(ctx)]);
  const problems: string[] = [];
  if (db.status === 'unhealthy') problems.push('The database is not answering.');
  if (redis.status === 'unhealthy') problems.push('Redis is not reachable; rate limits fall back to per-process counters and changes reach other processes by polling.');
  if (storage.status === 'unhealthy') problems.push(`The ${ctx.blobs.kind === 's3' ? 'S3 bucket' : 'data directory'} for images is not usable.`);
  if (db.status !== 'unhealthy') {
    const provider = await providerProblem(ctx).catch(() => null);
    if (provider) problems.push(provider);
  }
  if (ctx.config.requireEmailVerification && ctx.mailer.kind === 'log') {
    problems.push('Email verification is required but no SMTP server is set (SMTP_URL): codes are only written to the server log.');
  }
  return problems;
}
