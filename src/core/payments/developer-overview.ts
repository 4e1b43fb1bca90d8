import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { toIso } from '../../lib/time.js';
import type { Principal } from '../principal.js';
import { offsetOf, type NumberedPage, type PageInput } from './numbered-page.js';
import { developerId, ownedProject } from './owned-project.js';
import { toPayment, type Payment } from './payment.js';
import { ACTIVE_STATUSES, toSubscription, type Subscription } from './subscription.js';

export interface AcrossProjectsFilter extends PageInput {
  projectId: string | null;
  /** One end user's (the console's end-user details). */
  userId?: string | null;
  isTestMode: boolean | null;
  status: string | null;
}

/** Every subscription of the developer's projects, filtered; a foreign project id simply matches nothing. */
export async function listAllSubscriptions(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  f: AcrossProjectsFilter,
): Promise<NumberedPage<Subscription & { projectName: string }>> {
  const owner = developerId(principal);
  let base = ctx.db
    .selectFrom('stripe_subscriptions as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .where('p.owner_id', '=', owner);
  if (f.projectId) base = base.where('s.project_id', '=', f.projectId);
  if (f.userId) base = base.where('s.user_id', '=', f.userId);
  if (f.isTestMode !== null) base = base.where('s.is_test_mode', '=', f.isTestMode);
  if (f.status) base = base.where('s.status', '=', f.status);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .selectAll('s')
      .select('p.name as project_name')
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(f.pageSize)
      .offset(offsetOf(f))
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({ ...toSubscription(r), projectName: r.project_name })),
    total: Number(n),
    page: f.page,
    pageSize: f.pageSize,
  };
}

export async function listAllPayments(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  f: AcrossProjectsFilter,
): Promise<NumberedPage<Payment & { projectName: string }>> {
  const owner = developerId(principal);
  let base = ctx.db
    .selectFrom('stripe_payments as t')
    .innerJoin('projects as p', 'p.id', 't.project_id')
    .where('p.owner_id', '=', owner);
  if (f.projectId) base = base.where('t.project_id', '=', f.projectId);
  if (f.userId) base = base.where('t.user_id', '=', f.userId);
  if (f.isTestMode !== null) base = base.where('t.is_test_mode', '=', f.isTestMode);
  if (f.status) base = base.where('t.status', '=', f.status);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .selectAll('t')
      .select('p.name as project_name')
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(f.pageSize)
      .offset(offsetOf(f))
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({ ...toPayment(r), projectName: r.project_name })),
    total: Number(n),
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** A project of the developer's with whether it can take payments, in test and in live mode. */
export interface PaymentProject {
  id: string;
  name: string;
  description: string | null;
  hasPaymentConfig: boolean;
  hasTestCredentials: boolean;
  hasLiveCredentials: boolean;
  testConfiguredAt: string | null;
  liveConfiguredAt: string | null;
  isActive: boolean;
  createdAt: string;
}

/** The developer's projects, newest first, with whether each can take payments. */
export async function listPaymentProjects(ctx: Pick<Context, 'db'>, principal: Principal): Promise<PaymentProject[]> {
  const owner = developerId(principal);
  const rows = await ctx.db
    .selectFrom('projects as p')
    .leftJoin('stripe_configs as c', 'c.project_id', 'p.id')
    .select([
      'p.id',
      'p.name',
      'p.description',
      'p.is_active',
      'p.created_at',
      'c.is_active as config_active',
      'c.test_secret_key_enc',
      'c.live_secret_key_enc',
      'c.test_configured_at',
      'c.live_configured_at',
    ])
    .where('p.owner_id', '=', owner)
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .execute();
  return rows.map((r) => {
    const active = Boolean(r.config_active);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      hasPaymentConfig: active,
      hasTestCredentials: active && r.test_secret_key_enc !== null,
      hasLiveCredentials: active && r.live_secret_key_enc !== null,
      testConfiguredAt: active ? toIso(r.test_configured_at) : null,
      liveConfiguredAt: active ? toIso(r.live_configured_at) : null,
      isActive: Boolean(r.is_active),
      createdAt: toIso(r.created_at),
    };
  });
}

export interface PaymentStats {
  totalProjects: number;
  projectsWithConfig: number;
  projectsWithTest: number;
  projectsWithLive: number;
  totalSubscriptions: number;
  activeSubscriptions: number;
  totalPayments: number;
  successfulPayments: number;
  totalRevenueCents: number;
  currency: string;
}

/**
 * Counts over the developer's projects, or over one of them (a foreign one is NotFound); with
 * `includeTest` false, live mode only (get-stats.mdx).
 */
export async function paymentStats(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  includeTest: boolean,
  projectId: string | null = null,
): Promise<PaymentStats> {
  const owner = developerId(principal);
  const only = projectId === null ? null : (await ownedProject(ctx, principal, projectId)).id;
  let configQuery = ctx.db
    .selectFrom('projects as p')
    .leftJoin('stripe_configs as c', 'c.project_id', 'p.id')
    .select(['p.id', 'c.is_active', 'c.test_secret_key_enc', 'c.live_secret_key_enc'])
    .where('p.owner_id', '=', owner);
  if (only) configQuery = configQuery.where('p.id', '=', only);
  const configs = await configQuery.execute();
  const active = configs.filter((c) => Boolean(c.is_active));
  let subs = ctx.db
    .selectFrom('stripe_subscriptions as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .where('p.owner_id', '=', owner);
  let pays = ctx.db
    .selectFrom('stripe_payments as t')
    .innerJoin('projects as p', 'p.id', 't.project_id')
    .where('p.owner_id', '=', owner);
  if (only) {
    subs = subs.where('p.id', '=', only);
    pays = pays.where('p.id', '=', only);
  }
  if (!includeTest) {
    subs = subs.where('s.is_test_mode', '=', false);
    pays = pays.where('t.is_test_mode', '=', false);
  }
  const s = await subs
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .sum<number>(
          sql<number>`case when s.status in (${sql.join(ACTIVE_STATUSES.filter((x) => x === 'active' || x === 'trialing'))}) then 1 else 0 end`,
        )
        .as('active'),
    ])
    .executeTakeFirstOrThrow();
  const t = await pays
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(sql<number>`case when t.status = 'succeeded' then 1 else 0 end`).as('ok'),
      eb.fn.sum<number>(sql<number>`case when t.status = 'succeeded' then t.amount_cents else 0 end`).as('revenue'),
    ])
    .executeTakeFirstOrThrow();
  return {
    totalProjects: configs.length,
    projectsWithConfig: active.length,
    projectsWithTest: active.filter((c) => c.test_secret_key_enc !== null).length,
    projectsWithLive: active.filter((c) => c.live_secret_key_enc !== null).length,
    totalSubscriptions: Number(s.total),
    activeSubscriptions: Number(s.active ?? 0),
    totalPayments: Number(t.total),
    successfulPayments: Number(t.ok ?? 0),
    totalRevenueCents: Number(t.revenue ?? 0),
    currency: 'usd',
  };
}
