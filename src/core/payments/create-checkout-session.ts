import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { BadRequest, Invalid, type FieldError } from '../errors.js';
import type { Principal } from '../principal.js';
import { endUser } from './owned-project.js';
import { modeOf, secretKeyFor } from './stripe-config.js';
import { CURRENT_STATUSES } from './subscription.js';
import { customerOfUser } from './subscription-lookups.js';

export interface CheckoutInput {
  priceId: string;
  successUrl: string;
  cancelUrl: string;
  mode: 'subscription' | 'payment';
  quantity: number;
  metadata: Record<string, unknown> | null;
  allowExistingSubscription: boolean;
  isTestMode: boolean;
}

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

/** Stripe's metadata rules, checked here so a bad entry is the caller's 422 and not a Stripe error. */
function metadataErrors(metadata: Record<string, unknown> | null): FieldError[] {
  if (!metadata) return [];
  const entries = Object.entries(metadata);
  const errors: FieldError[] = [];
  if (entries.length > 40)
    errors.push({ field: 'metadata', message: 'At most 40 metadata entries', type: 'value_error' });
  for (const [k, v] of entries) {
    if (k.length > 40)
      errors.push({ field: `metadata.${k}`, message: 'Metadata keys are at most 40 characters', type: 'value_error' });
    else if (k.startsWith('tollgate_'))
      errors.push({
        field: `metadata.${k}`,
        message: 'Metadata keys starting with tollgate_ are reserved',
        type: 'value_error',
      });
    else if (!['string', 'number', 'boolean'].includes(typeof v) || String(v).length > 500) {
      errors.push({
        field: `metadata.${k}`,
        message: 'Metadata values are strings, numbers or booleans of at most 500 characters',
        type: 'value_error',
      });
    }
  }
  return errors;
}

/**
 * A Stripe Checkout Session for the calling end user. Each end user has one Stripe customer
 * per mode: created on first checkout with an idempotency key of (project, user, mode), so two
 * first checkouts at once get the same customer from Stripe, and remembered only once the
 * session exists, so a Stripe failure leaves nothing behind on our side.
 */
export async function createCheckoutSession(
  ctx: Pick<Context, 'db' | 'keys' | 'clock' | 'stripe'>,
  principal: Principal,
  input: CheckoutInput,
): Promise<{ sessionId: string; checkoutUrl: string }> {
  const { userId, projectId } = endUser(principal);
  const errors: FieldError[] = [];
  if (!isHttpUrl(input.successUrl))
    errors.push({ field: 'success_url', message: 'success_url must be an http(s) URL', type: 'value_error.url' });
  if (!isHttpUrl(input.cancelUrl))
    errors.push({ field: 'cancel_url', message: 'cancel_url must be an http(s) URL', type: 'value_error.url' });
  errors.push(...metadataErrors(input.metadata));
  if (errors.length) throw Invalid(errors);

  const mode = modeOf(input.isTestMode);
  const secretKey = await secretKeyFor(ctx, projectId, mode);
  if (!input.allowExistingSubscription) {
    const current = await ctx.db
      .selectFrom('stripe_subscriptions')
      .select('id')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .where('is_test_mode', '=', input.isTestMode)
      .where(
        'status',
        'in',
        CURRENT_STATUSES.filter((s) => s !== 'incomplete'),
      )
      .executeTakeFirst();
    if (current) throw BadRequest('subscription_exists', 'User already has an active subscription');
  }
  const user = await ctx.db
    .selectFrom('users')
    .select(['email', 'full_name'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const known = await customerOfUser(ctx.db, projectId, userId, input.isTestMode);

  const tags = { tollgate_user_id: userId, tollgate_project_id: projectId };
  const { customerId, session } = await ctx.stripe.call(secretKey, async (stripe, opts) => {
    const customerId =
      known ??
      (
        await stripe.customers.create(
          { email: user.email, ...(user.full_name ? { name: user.full_name } : {}), metadata: tags },
          { ...opts(), idempotencyKey: `tollgate-customer-${projectId}-${userId}-${mode}` },
        )
      ).id;
    const userMetadata = Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, String(v)]));
    const session = await stripe.checkout.sessions.create(
      {
        mode: input.mode,
        customer: customerId,
        client_reference_id: userId,
        line_items: [{ price: input.priceId, quantity: input.quantity }],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        metadata: { ...userMetadata, ...tags, tollgate_price_id: input.priceId },
        ...(input.mode === 'subscription' ? { subscription_data: { metadata: tags } } : {}),
      },
      opts(),
    );
    return { customerId, session };
  });
  if (!known) {
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      const id = uuidv7(now.getTime());
      const remembered = await trx
        .insertInto('stripe_customers')
        .values({
          id,
          project_id: projectId,
          user_id: userId,
          is_test_mode: input.isTestMode,
          customer_id: customerId,
          created_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      // Only the checkout that remembered the customer writes the entry (a concurrent first checkout inserts nothing).
      if (Number(remembered.numInsertedOrUpdatedRows ?? 0) === 0) return;
      await recordAudit(trx, ctx, principal, {
        action: 'stripe_customer.created',
        targetType: 'stripe_customer',
        targetId: id,
        projectId,
        ownerId: principal.kind === 'end_user' ? principal.ownerId : null,
        changedFields: ['customer_id'],
      });
    });
  }
  if (!session.url) throw BadRequest('stripe_no_url', 'Stripe returned a checkout session without a URL');
  return { sessionId: session.id, checkoutUrl: session.url };
}
