import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, type TestServer } from '../support/harness.js';
import {
  deliver,
  paymentRows,
  seedBuyer,
  seedShop,
  startPaymentsServer,
  stripeEvent,
  type Buyer,
  type Shop,
} from './fixture.js';
import { FakeStripe } from './stripe-fake.js';

/**
 * Stripe webhook ingestion: signature on the raw body, exactly-once per event id, and the
 * newest state winning whatever order events arrive in.
 */
forEachDatabase('payments: Stripe webhooks', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let shop: Shop;
  let buyer: Buyer;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake);
    shop = await seedShop(s, fake);
    buyer = await seedBuyer(s, shop);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const subscriptionObject = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'subscription',
    customer: 'cus_webhook',
    status,
    cancel_at: null,
    canceled_at: null,
    metadata: { tollgate_user_id: buyer.userId },
    items: {
      data: [
        {
          id: 'si_1',
          quantity: 1,
          price: { id: 'price_pro', nickname: 'Pro Plan' },
          current_period_start: now(),
          current_period_end: now() + 86400 * 30,
        },
      ],
    },
    ...extra,
  });
  const row = (subscriptionId: string) =>
    s.ctx.db
      .selectFrom('stripe_subscriptions')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst();

  describe('refused with 400, touching nothing', () => {
    const sub = () => subscriptionObject('sub_refused', 'active');
    const cases: Array<[string, () => Promise<{ status: number; body: any }>]> = [
      [
        'no signature',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
            { signature: null },
          ),
      ],
      [
        'signed with another secret',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub()),
            'whsec_not_the_projects_secret',
          ),
      ],
      [
        'signed with the live secret on the test endpoint',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.liveWebhookSecret,
          ),
      ],
      [
        'garbage signature header',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
            { signature: 't=1,v1=deadbeef' },
          ),
      ],
      [
        'stale (signed 6 minutes ago)',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
            { timestamp: now() - 360 },
          ),
      ],
      [
        'unknown project',
        () =>
          deliver(
            s,
            '0190c0de-0000-7000-8000-000000000000',
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
          ),
      ],
      [
        'not a uuid',
        () =>
          deliver(
            s,
            'not-a-project',
            'test',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
          ),
      ],
      [
        'unknown mode',
        () =>
          deliver(
            s,
            shop.projectId,
            'sandbox',
            stripeEvent('customer.subscription.created', sub()),
            shop.testWebhookSecret,
          ),
      ],
      [
        'a live event on the test endpoint',
        () =>
          deliver(
            s,
            shop.projectId,
            'test',
            stripeEvent('customer.subscription.created', sub(), { livemode: true }),
            shop.testWebhookSecret,
          ),
      ],
    ];
    for (const [label, send] of cases) {
      it(label, async () => {
        const before = await paymentRows(s);
        const res = await send();
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(typeof res.body.detail).toBe('string');
        expect(await paymentRows(s)).toEqual(before);
      });
    }

    it('a body changed after signing', async () => {
      const before = await paymentRows(s);
      const event = stripeEvent('customer.subscription.created', sub());
      const payload = JSON.stringify(event);
      const { default: Stripe } = await import('stripe');
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: shop.testWebhookSecret });
      const res = await s.request('POST', `/api/v1/payments/stripe/webhooks/${shop.projectId}/test`, {
        rawBody: payload.replace('"active"', '"trialing"'),
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
      expect(res.status).toBe(400);
      expect(await paymentRows(s)).toEqual(before);
    });

    it('a signed body that is not JSON', async () => {
      const before = await paymentRows(s);
      const { default: Stripe } = await import('stripe');
      const payload = '{"id": "evt_x", not json';
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: shop.testWebhookSecret });
      const res = await s.request('POST', `/api/v1/payments/stripe/webhooks/${shop.projectId}/test`, {
        rawBody: payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
      expect(res.status).toBe(400);
      expect(await paymentRows(s)).toEqual(before);
    });

    it('the raw bytes are what is verified: whitespace and key order as Stripe sent them', async () => {
      const event = stripeEvent('customer.subscription.created', subscriptionObject('sub_rawbytes', 'active'));
      const payload = JSON.stringify(event, null, 3); // not what a re-serialisation would produce
      const { default: Stripe } = await import('stripe');
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: shop.testWebhookSecret });
      const res = await s.request('POST', `/api/v1/payments/stripe/webhooks/${shop.projectId}/test`, {
        rawBody: payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
      expect(res.status).toBe(200);
      expect((await row('sub_rawbytes'))?.status).toBe('active');
    });
  });

  it('a replayed event answers 200 and changes nothing', async () => {
    const event = stripeEvent('customer.subscription.created', subscriptionObject('sub_replay', 'active'));
    const first = await deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    const after = await paymentRows(s);
    const again = await deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(await paymentRows(s)).toEqual(after);
    const announced = await s.ctx.db
      .selectFrom('events')
      .select('type')
      .where('project_id', '=', shop.projectId)
      .where('payload', 'like', '%sub_replay%')
      .execute();
    expect(announced.map((e) => e.type)).toEqual(['subscription.created']);
  });

  it('twenty concurrent deliveries of one event apply it once', async () => {
    const invoice = {
      id: 'in_concurrent',
      object: 'invoice',
      customer: 'cus_webhook',
      currency: 'usd',
      amount_paid: 2999,
      amount_due: 2999,
      parent: { subscription_details: { subscription: 'sub_replay' } },
      lines: { data: [{ description: 'Pro Plan' }] },
    };
    const event = stripeEvent('invoice.paid', invoice);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const payments = await s.ctx.db
      .selectFrom('stripe_payments')
      .selectAll()
      .where('source_id', '=', 'in_concurrent')
      .execute();
    expect(payments).toHaveLength(1);
    expect(payments[0]!.user_id).toBe(buyer.userId);
    const announced = await s.ctx.db
      .selectFrom('events')
      .select('type')
      .where('type', '=', 'payment.succeeded')
      .where('payload', 'like', `%${payments[0]!.id}%`)
      .execute();
    expect(announced).toHaveLength(1);
    const seen = await s.ctx.db.selectFrom('stripe_events').selectAll().where('event_id', '=', event.id).execute();
    expect(seen).toHaveLength(1);
  });

  it('an older update arriving after a newer one leaves the newer state', async () => {
    const t = now();
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('customer.subscription.created', subscriptionObject('sub_order', 'incomplete'), { created: t - 20 }),
      shop.testWebhookSecret,
    );
    const newer = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject('sub_order', 'past_due', {
        items: { data: [{ id: 'si_1', quantity: 3, price: { id: 'price_pro', nickname: 'Pro Plan' } }] },
      }),
      { created: t - 5 },
    );
    const older = stripeEvent('customer.subscription.updated', subscriptionObject('sub_order', 'active'), {
      created: t - 10,
    });
    expect((await deliver(s, shop.projectId, 'test', newer, shop.testWebhookSecret)).status).toBe(200);
    expect((await deliver(s, shop.projectId, 'test', older, shop.testWebhookSecret)).status).toBe(200);
    const r = await row('sub_order');
    expect(r?.status).toBe('past_due');
    expect(r?.quantity).toBe(3);
  });

  it('an update arriving after the deletion does not revive the subscription', async () => {
    const t = now();
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('customer.subscription.created', subscriptionObject('sub_dead', 'active'), { created: t - 30 }),
      shop.testWebhookSecret,
    );
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject('sub_dead', 'canceled', { canceled_at: t - 10 }),
        { created: t - 10 },
      ),
      shop.testWebhookSecret,
    );
    // Stripe does not promise order: an update made before the deletion, delivered after it, even stamped the same second.
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('customer.subscription.updated', subscriptionObject('sub_dead', 'active'), { created: t - 10 }),
      shop.testWebhookSecret,
    );
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('customer.subscription.updated', subscriptionObject('sub_dead', 'active'), { created: t - 20 }),
      shop.testWebhookSecret,
    );
    const r = await row('sub_dead');
    expect(r?.status).toBe('canceled');
    expect(r?.cancelled_at).not.toBeNull();
  });

  it('a failed attempt reported after the invoice was paid does not undo the payment', async () => {
    const t = now();
    const invoice = {
      id: 'in_late_failure',
      object: 'invoice',
      customer: 'cus_webhook',
      currency: 'usd',
      amount_paid: 999,
      amount_due: 999,
      parent: { subscription_details: { subscription: 'sub_order' } },
    };
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('invoice.paid', invoice, { created: t - 2 }),
      shop.testWebhookSecret,
    );
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('invoice.payment_failed', { ...invoice, amount_paid: 0 }, { created: t - 4 }),
      shop.testWebhookSecret,
    );
    const p = await s.ctx.db
      .selectFrom('stripe_payments')
      .selectAll()
      .where('source_id', '=', 'in_late_failure')
      .executeTakeFirstOrThrow();
    expect(p.status).toBe('succeeded');
    expect(Number(p.amount_cents)).toBe(999);
    // invoice.paid was the newest word on sub_order: past_due became active.
    expect((await row('sub_order'))?.status).toBe('active');
  });

  it("the same event id sent to two projects is each project's own", async () => {
    const other = await seedShop(s, fake, shop.dev);
    const event = stripeEvent('customer.subscription.created', {
      ...subscriptionObject('sub_shared', 'active'),
      metadata: {},
    });
    expect((await deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret)).body.duplicate).toBe(false);
    expect((await deliver(s, other.projectId, 'test', event, other.testWebhookSecret)).body.duplicate).toBe(false);
    const rows = await s.ctx.db
      .selectFrom('stripe_subscriptions')
      .select('project_id')
      .where('subscription_id', '=', 'sub_shared')
      .execute();
    expect(rows.map((r) => r.project_id).sort()).toEqual([shop.projectId, other.projectId].sort());
  });

  it("a user id in metadata that is not this project's end user is not believed", async () => {
    const other = await seedShop(s, fake, shop.dev);
    const stranger = await seedBuyer(s, other);
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('customer.subscription.created', {
        ...subscriptionObject('sub_stranger', 'active'),
        metadata: { tollgate_user_id: stranger.userId },
      }),
      shop.testWebhookSecret,
    );
    expect((await row('sub_stranger'))?.user_id).toBeNull();
  });

  it('a deactivated configuration stops accepting webhooks', async () => {
    const gone = await seedShop(s, fake, shop.dev);
    const del = await s.request('DELETE', `/api/v1/payments/stripe/projects/${gone.projectId}/config`, {
      headers: shop.dev.headers,
    });
    expect(del.status).toBe(204);
    const before = await paymentRows(s);
    const res = await deliver(
      s,
      gone.projectId,
      'test',
      stripeEvent('customer.subscription.created', subscriptionObject('sub_gone', 'active')),
      gone.testWebhookSecret,
    );
    expect(res.status).toBe(400);
    expect(await paymentRows(s)).toEqual(before);
  });
});
