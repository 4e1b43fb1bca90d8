import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { recordEvent } from '../events/record-event.js';
import type { PaymentScope, Trx } from './payment-scope.js';
import type { PaymentStatus } from './payment.js';

export interface PaymentFact {
  /** The invoice or checkout session the payment is for: one row each. */
  sourceId: string;
  paymentIntentId: string;
  status: PaymentStatus;
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
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
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
