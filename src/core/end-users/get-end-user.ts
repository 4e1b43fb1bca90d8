import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { NotFound } from '../errors.js';
import { listAllPayments } from '../payments/developer-overview.js';
import type { Payment } from '../payments/payment.js';
import { toSubscription, type Subscription } from '../payments/subscription.js';
import { currentSubscription } from '../payments/subscription-lookups.js';
import type { Principal } from '../principal.js';
import { countGenerations, type GenerationCounts } from '../stats/count-stats.js';
import type { ListedUser } from './list-users.js';

export interface EndUserDetails {
  user: ListedUser & { emailVerifiedAt: string | null; updatedAt: string | null };
  generations: GenerationCounts;
  /** The current subscription in each mode (the newest one not ended), or null. */
  subscriptions: { test: Subscription | null; live: Subscription | null };
  /** The newest payments, both modes, and how many there are in all. */
  payments: { recent: Payment[]; total: number };
}

/** One end user of the developer's projects with what the core knows of them; another developer's is NotFound. */
export async function getEndUser(
  ctx: Pick<Context, 'db'>,
  principal: Extract<Principal, { kind: 'developer' }>,
  userId: string,
): Promise<EndUserDetails> {
  if (!isUuid(userId)) throw NotFound('end_user');
  const r = await ctx.db
    .selectFrom('users as u')
    .innerJoin('projects as p', 'p.id', 'u.project_id')
    .where('p.owner_id', '=', principal.userId)
    .where('u.role', '=', 'end_user')
    .where('u.id', '=', userId)
    .select([
      'u.id',
      'u.email',
      'u.full_name',
      'u.is_active',
      'u.created_at',
      'u.updated_at',
      'u.email_verified_at',
      'p.id as project_id',
      'p.name as project_name',
    ])
    .executeTakeFirst();
  if (!r) throw NotFound('end_user');
  const [generations, test, live, payments] = await Promise.all([
    countGenerations(
      ctx.db.selectFrom('generations').where('project_id', '=', r.project_id).where('user_id', '=', r.id),
    ),
    currentSubscription(ctx.db, r.project_id, r.id, true),
    currentSubscription(ctx.db, r.project_id, r.id, false),
    listAllPayments(ctx, principal, {
      projectId: r.project_id,
      userId: r.id,
      isTestMode: null,
      status: null,
      page: 1,
      pageSize: 5,
    }),
  ]);
  return {
    user: {
      id: r.id,
      email: r.email,
      fullName: r.full_name,
      isActive: Boolean(r.is_active),
      createdAt: toIso(r.created_at),
      updatedAt: toIso(r.updated_at),
      emailVerifiedAt: toIso(r.email_verified_at),
      projectId: r.project_id,
      projectName: r.project_name,
    },
    generations,
    subscriptions: { test: test ? toSubscription(test) : null, live: live ? toSubscription(live) : null },
    payments: { recent: payments.items, total: payments.total },
  };
}
