import type { Selectable, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { StripePaymentsTable } from '../../db/schema/stripe.js';
import { uuidv7 } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { recordEvent } from '../events/record-event.js';

export type PaymentRow = Selectable<StripePaymentsTable>;

export interface PaymentView {
  id: string;
  project_id: string;
  subscription_id: string | null;
  user_id: string | null;
  is_test_mode: boolean;
  payment_intent_id: string;
  status: string;
  amount_cents: number;
  currency: string;
  description: string | null;
  refunded_amount_cents: number;
  created_at: string;
}

export function toPaymentView(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    project_id: row.project_id,
    subscription_id: row.subscription_id,
    user_id: row.user_id,
    is_test_mode: Boolean(row.is_test_mode),
    payment_intent_id: row.payment_intent_id,
    status: row.status,
    amount_cents: Number(row.amount_cents),
    currency: row.currency,
    description: row.description,
    refunded_amount_cents: Number(row.refunded_amount_cents),
    created_at: toIso(row.created_at),
  };
}

/** A payment's statuses: `succeeded` is final. */
export const PAYMENT_STATUSES = ['succeeded', 'failed', 'pending'] as const;

export interface PaymentFact {
  /** The invoice or checkout session the payment is for: one row each. */
  sourceId: string;
  paymentIntentId: string;
  status: (typeof PAYMENT_STATUSES)[number];
  amountCents: number;
  currency: string;
  description: string | null;
  subscriptionRowId: string | null;
  userId: string | null;
}

/**
 * Records a payment or moves it on. `succeeded` is final: a failed attempt reported after
 * the invoice was paid (Stripe does not promise order) does not undo it.
 */
export async function applyPayment(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock'>,
  scope: { projectId: string; ownerId: string; isTestMode: boolean },
  fact: PaymentFact,
): Promise<void> {
  const now = ctx.clock.now();
  const existing = await trx
    .selectFrom('stripe_payments')
    .selectAll()
    .where('project_id', '=', scope.projectId)
    .where('is_test_mode', '=', scope.isTestMode)
    .where('source_id', '=', fact.sourceId)
    .executeTakeFirst();
  let id: string;
  if (!existing) {
    id = uuidv7(now.getTime());
    const inserted = await trx
      .insertInto('stripe_payments')
      .values({
        id,
        project_id: scope.projectId,
        subscription_id: fact.subscriptionRowId,
        user_id: fact.userId,
        is_test_mode: scope.isTestMode,
        source_id: fact.sourceId,
        payment_intent_id: fact.paymentIntentId,
        status: fact.status,
        amount_cents: fact.amountCents,
        currency: fact.currency,
        description: fact.description,
        refunded_amount_cents: 0,
        created_at: now,
        updated_at: null,
      })
      .onConflict((oc) => oc.columns(['project_id', 'is_test_mode', 'source_id']).doNothing())
      .executeTakeFirst();
    // Another event about the same invoice (racing in another transaction) recorded it first: ours moves it on.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return applyPayment(trx, ctx, scope, fact);
  } else {
    if (existing.status === 'succeeded' || existing.status === fact.status) return;
    id = existing.id;
    await trx
      .updateTable('stripe_payments')
      .set({
        status: fact.status,
        payment_intent_id: fact.paymentIntentId,
        amount_cents: fact.amountCents,
        subscription_id: existing.subscription_id ?? fact.subscriptionRowId,
        user_id: existing.user_id ?? fact.userId,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }
  if (fact.status === 'pending') return;
  await recordEvent(trx, ctx, {
    ownerId: scope.ownerId,
    projectId: scope.projectId,
    type: fact.status === 'succeeded' ? 'payment.succeeded' : 'payment.failed',
    data: {
      id,
      payment_intent_id: fact.paymentIntentId,
      amount_cents: fact.amountCents,
      currency: fact.currency,
      user_id: fact.userId,
      is_test_mode: scope.isTestMode,
    },
  });
}
