import type { Context } from '../../context.js';
import { openSecret } from '../../lib/crypto.js';
import { isUuid } from '../../lib/ids.js';
import { Stripe } from '../../lib/stripe.js';
import { recordAudit } from '../audit/record-audit.js';
import { BadRequest } from '../errors.js';
import type { Origin } from '../principal.js';
import { applyStripeEvent } from './apply-event.js';
import { str } from './stripe-objects.js';

/** Stripe's own default: a signature older than five minutes is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface WebhookDelivery {
  projectId: string;
  mode: string;
  rawBody: Buffer;
  signature: string | undefined;
  /** The request it came in, for the audit entry. */
  origin?: Origin;
}

/**
 * Verifies a Stripe delivery on its raw bytes with the project's webhook secret for that
 * mode, then applies it exactly once: the event's row and its effects share one transaction,
 * and the row's primary key (project, event id) makes a replay, or a duplicate racing this
 * one, insert nothing and change nothing. Anything unverifiable is a 400 that touches no data.
 */
export async function ingestStripeWebhook(
  ctx: Pick<Context, 'db' | 'keys' | 'clock'>,
  delivery: WebhookDelivery,
): Promise<{ duplicate: boolean; type: string }> {
  if (delivery.mode !== 'test' && delivery.mode !== 'live')
    throw BadRequest('bad_mode', 'Webhook mode must be "test" or "live"');
  const refused = BadRequest('webhook_not_configured', 'No active Stripe webhook secret for this project and mode');
  if (!isUuid(delivery.projectId)) throw refused;
  const isTestMode = delivery.mode === 'test';
  const config = await ctx.db
    .selectFrom('stripe_configs')
    .innerJoin('projects', 'projects.id', 'stripe_configs.project_id')
    .select([
      'stripe_configs.is_active',
      'stripe_configs.test_webhook_secret_enc',
      'stripe_configs.live_webhook_secret_enc',
      'projects.owner_id',
    ])
    .where('stripe_configs.project_id', '=', delivery.projectId)
    .executeTakeFirst();
  const sealed = config?.is_active ? config[isTestMode ? 'test_webhook_secret_enc' : 'live_webhook_secret_enc'] : null;
  if (!config || !sealed) throw refused;
  if (!delivery.signature) throw BadRequest('signature_missing', 'Missing Stripe-Signature header');

  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(
      delivery.rawBody,
      delivery.signature,
      openSecret(ctx.keys.seal, sealed).toString('utf8'),
      SIGNATURE_TOLERANCE_SECONDS,
      undefined,
      ctx.clock.now().getTime(),
    );
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError)
      throw BadRequest('bad_signature', `Invalid Stripe signature: ${err.message}`);
    throw BadRequest('bad_payload', 'Malformed Stripe event payload');
  }
  // Signed by Stripe, but of whatever API version the endpoint was made with: the envelope is checked, not assumed.
  const envelope: { id?: unknown; type?: unknown; created?: unknown; livemode?: unknown; data?: { object?: unknown } } =
    event;
  if (
    !str(envelope.id) ||
    !str(envelope.type) ||
    typeof envelope.created !== 'number' ||
    typeof envelope.data?.object !== 'object' ||
    envelope.data.object === null
  ) {
    throw BadRequest('bad_payload', 'Malformed Stripe event payload');
  }
  if (typeof event.livemode === 'boolean' && event.livemode === isTestMode) {
    throw BadRequest(
      'wrong_mode',
      `A ${event.livemode ? 'live' : 'test'} mode event sent to the ${delivery.mode} endpoint`,
    );
  }

  const scope = { projectId: delivery.projectId, ownerId: config.owner_id, isTestMode };
  return ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('stripe_events')
      .values({
        project_id: scope.projectId,
        event_id: event.id,
        is_test_mode: isTestMode,
        type: event.type.slice(0, 128),
        received_at: ctx.clock.now(),
      })
      .onConflict((oc) => oc.columns(['project_id', 'event_id']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return { duplicate: true, type: event.type };
    await applyStripeEvent(trx, ctx, scope, event);
    // Stripe, proven by the signature, is the actor; the event's id is the target (its type is on the stripe_events row).
    await recordAudit(
      trx,
      ctx,
      { kind: 'system', id: 'stripe', ...(delivery.origin ? { origin: delivery.origin } : {}) },
      {
        action: 'stripe_event.applied',
        targetType: 'stripe_event',
        targetId: event.id.slice(0, 64),
        projectId: scope.projectId,
        ownerId: scope.ownerId,
      },
    );
    return { duplicate: false, type: event.type };
  });
}
