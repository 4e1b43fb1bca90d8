import type { Context } from '../../context.js';
import type { PaymentScope, Trx } from './payment-scope.js';
import { CURRENT_STATUSES, type SubscriptionRow } from './subscription.js';

type Db = Trx | Context['db'];

/** An end user of this project with this id, or null: metadata is checked before it is believed. */
export async function endUserOfProject(db: Db, projectId: string, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('project_id', '=', projectId)
    .where('role', '=', 'end_user')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The end user a Stripe customer was made for, in this project and mode. */
export async function userOfCustomer(db: Db, scope: PaymentScope, customerId: string | null): Promise<string | null> {
  if (!customerId) return null;
  const row = await db
    .selectFrom('stripe_customers')
    .select('user_id')
    .where('project_id', '=', scope.projectId)
    .where('is_test_mode', '=', scope.isTestMode)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/** The Stripe customer id of this end user in this project and mode, when Tollgate made one. */
export async function customerOfUser(
  db: Db,
  projectId: string,
  userId: string,
  isTestMode: boolean,
): Promise<string | null> {
  const row = await db
    .selectFrom('stripe_customers')
    .select('customer_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('is_test_mode', '=', isTestMode)
    .executeTakeFirst();
  return row?.customer_id ?? null;
}

export async function findSubscription(
  db: Db,
  scope: Omit<PaymentScope, 'ownerId'>,
  stripeId: string,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('stripe_subscriptions')
    .selectAll()
    .where('project_id', '=', scope.projectId)
    .where('is_test_mode', '=', scope.isTestMode)
    .where('subscription_id', '=', stripeId)
    .executeTakeFirst();
}

/** The end user's current subscription in a mode (the newest one not ended). */
export async function currentSubscription(
  db: Db,
  projectId: string,
  userId: string,
  isTestMode: boolean,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('stripe_subscriptions')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('is_test_mode', '=', isTestMode)
    .where('status', 'in', CURRENT_STATUSES)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
