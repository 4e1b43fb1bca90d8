import type { Context } from '../../context.js';
import { generationUsage } from '../generations/quota.js';
import { paymentStats } from '../payments/developer-overview.js';
import { TIERS } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { countStats } from './count-stats.js';
import { instanceProblems } from './instance-health.js';
import { utcDayOf, windowStart, zeroFilled } from './per-day.js';

const DAYS = 14;
type Developer = Extract<Principal, { kind: 'developer' }>;
type DashboardCtx = Parameters<typeof instanceProblems>[0];

/** The developer's counts of one table over their projects (optionally only the active rows). */
async function countOwned(
  ctx: Pick<Context, 'db'>,
  ownerId: string,
  table: 'licenses' | 'domains' | 'injectables',
  activeOnly: boolean,
): Promise<number> {
  let q = ctx.db
    .selectFrom(table)
    .where('project_id', 'in', ctx.db.selectFrom('projects').select('id').where('owner_id', '=', ownerId));
  if (activeOnly) q = q.where('is_active', '=', true);
  const r = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Runtime checks and generations per UTC day over the developer's projects, the last 14 days, zero-filled. */
async function perDay(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock'>,
  ownerId: string,
): Promise<Array<{ day: string; checks: number; generations: number }>> {
  const from = windowStart(ctx.clock.now(), DAYS);
  const checkDay = utcDayOf(ctx.dialect, 'c.minute');
  const genDay = utcDayOf(ctx.dialect, 'g.created_at');
  const [checks, generations] = await Promise.all([
    ctx.db
      .selectFrom('license_check_counts as c')
      .innerJoin('projects as p', 'p.id', 'c.project_id')
      .where('p.owner_id', '=', ownerId)
      .where('c.minute', '>=', from)
      .select([checkDay.as('day'), (eb) => eb.fn.sum<number>('c.count').as('n')])
      .groupBy(checkDay)
      .execute(),
    ctx.db
      .selectFrom('generations as g')
      .where('g.owner_id', '=', ownerId)
      .where('g.created_at', '>=', from)
      .select([genDay.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(genDay)
      .execute(),
  ]);
  const gens = zeroFilled(from, DAYS, generations);
  return zeroFilled(from, DAYS, checks).map((d, i) => ({ day: d.day, checks: d.count, generations: gens[i]!.count }));
}

/**
 * The console dashboard in one call: the plan, the counts of the cards, this month's
 * generations against the quota, the live subscriptions, the 14-day series of runtime checks
 * and generations, and what is wrong with the instance.
 */
export async function developerDashboard(ctx: DashboardCtx & Pick<Context, 'config' | 'mailer'>, principal: Developer) {
  const [stats, licenses, activeDomains, injectables, generations, payments, chart, health] = await Promise.all([
    countStats(ctx, principal, {}),
    countOwned(ctx, principal.userId, 'licenses', false),
    countOwned(ctx, principal.userId, 'domains', true),
    countOwned(ctx, principal.userId, 'injectables', false),
    generationUsage(ctx, principal),
    paymentStats(ctx, principal, false),
    perDay(ctx, principal.userId),
    instanceProblems(ctx),
  ]);
  const t = TIERS[principal.tier];
  return {
    tier: {
      name: principal.tier,
      label: t.label,
      maxProjects: t.maxProjects,
      maxApiKeysPerProject: t.maxApiKeysPerProject,
    },
    counts: {
      projects: stats.projects.total,
      apiKeys: stats.apiKeys.active,
      endUsers: stats.users.total,
      licenses,
      activeDomains,
      injectables,
      activeSubscriptions: payments.activeSubscriptions,
    },
    generations,
    chart,
    health,
  };
}
