import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, type TestServer } from '../support/harness.js';
import { deliver, seedBuyer, seedShop, startPaymentsServer, stripeEvent, type Buyer, type Shop } from './fixture.js';
import { FakeStripe } from './stripe-fake.js';

/**
 * Issue 18: a change of plan or a cancellation answers, and keeps, what Stripe made of it,
 * even when an event of the subscription's previous state was created in the same second
 * (one-second `created` resolution makes such ties the common case). Stripe's clock reads a
 * second ahead here, so that the call straddles a second boundary every time and not now and then.
 */
forEachDatabase('payments: our own changes against events of the same second', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let shop: Shop;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake);
    shop = await seedShop(s, fake);
  });
  afterEach(() => {
    fake.skewMs = 0;
    fake.meanwhile = null;
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const send = (event: object) => deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret);
  const mine = async (who: Buyer) =>
    (await s.request('GET', '/api/v1/payments/stripe/my-subscription', { headers: who.headers })).body;
  const row = (subscriptionId: string) =>
    s.ctx.db
      .selectFrom('stripe_subscriptions')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirstOrThrow();

  /** A buyer with an active Basic subscription, told to us by its events. */
  async function subscriber(): Promise<{ buyer: Buyer; subscriptionId: string }> {
    const buyer = await seedBuyer(s, shop);
    const started = await s.request('POST', '/api/v1/payments/stripe/checkout-session', {
      headers: buyer.headers,
      body: {
        price_id: 'price_basic',
        success_url: 'https://app.example.com/ok',
        cancel_url: 'https://app.example.com/no',
      },
    });
    expect(started.status, started.text).toBe(200);
    const { session, subscription, invoice } = fake.completeCheckout(started.body.session_id);
    const t = fake.nowSeconds();
    for (const [type, object, created] of [
      ['checkout.session.completed', session, t - 3],
      ['invoice.paid', invoice, t - 2],
      ['customer.subscription.created', subscription, t - 1],
    ] as const) {
      expect((await send(stripeEvent(type, object, { created }))).status).toBe(200);
    }
    expect(await mine(buyer)).toMatchObject({ status: 'active', plan_name: 'Basic Plan' });
    return { buyer, subscriptionId: subscription.id };
  }

  /** While Stripe works on the change, the event it made of the state before it arrives, stamped with the second of the change. */
  function staleEventMeanwhile(subscriptionId: string): void {
    fake.skewMs = 1000;
    fake.meanwhile = {
      method: 'POST',
      path: new RegExp(`^/v1/subscriptions/${subscriptionId}$`),
      run: async () => {
        const before = structuredClone(fake.subscription(subscriptionId)!);
        const res = await send(stripeEvent('customer.subscription.updated', before, { created: fake.nowSeconds() }));
        if (res.status !== 200) throw new Error(`stale event: ${res.text}`);
      },
    };
  }
  const answeredAt = (subscriptionId: string) =>
    fake.calls(new RegExp(`^/v1/subscriptions/${subscriptionId}$`), 'POST').at(-1)!.answeredAt!;

  it('a change of plan answers the new price and keeps it against an event of the old one in its second', async () => {
    const { buyer, subscriptionId } = await subscriber();
    const basic = structuredClone(fake.subscription(subscriptionId)!);
    staleEventMeanwhile(subscriptionId);

    const updated = await s.request('POST', '/api/v1/payments/stripe/update-subscription', {
      headers: buyer.headers,
      body: { new_price_id: 'price_pro' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toEqual({
      subscription_id: subscriptionId,
      status: 'active',
      price_id: 'price_pro',
      message: 'Subscription updated to new plan successfully.',
    });
    expect(await mine(buyer)).toMatchObject({ plan_name: 'Pro Plan' });
    expect((await row(subscriptionId)).price_id).toBe('price_pro');

    // Another event of the old state, stamped with the very second Stripe answered: still older than the answer.
    const second = answeredAt(subscriptionId);
    expect((await send(stripeEvent('customer.subscription.updated', basic, { created: second }))).status).toBe(200);
    expect((await row(subscriptionId)).price_id).toBe('price_pro');
    expect(await mine(buyer)).toMatchObject({ plan_name: 'Pro Plan' });

    // A later second is a later change (two seats), and it applies.
    const later = structuredClone(fake.subscription(subscriptionId)!);
    later.items.data[0].quantity = 2;
    expect((await send(stripeEvent('customer.subscription.updated', later, { created: second + 1 }))).status).toBe(200);
    expect(await mine(buyer)).toMatchObject({ plan_name: 'Pro Plan', quantity: 2 });
  });

  it('a cancellation at period end is kept against an event of the state before it in its second', async () => {
    const { buyer, subscriptionId } = await subscriber();
    const uncancelled = structuredClone(fake.subscription(subscriptionId)!);
    staleEventMeanwhile(subscriptionId);

    const cancelled = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
      headers: buyer.headers,
      body: {},
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    const onStripe = fake.subscription(subscriptionId)!;
    expect(cancelled.body).toEqual({
      subscription_id: subscriptionId,
      status: 'active',
      cancel_at: new Date(onStripe.cancel_at * 1000).toISOString(),
      cancelled_at: new Date(onStripe.canceled_at * 1000).toISOString(),
      message: 'Subscription will be canceled at the end of the current billing period.',
    });
    expect(await mine(buyer)).toMatchObject({ status: 'active', cancel_at: cancelled.body.cancel_at });

    expect(
      (await send(stripeEvent('customer.subscription.updated', uncancelled, { created: answeredAt(subscriptionId) })))
        .status,
    ).toBe(200);
    expect(await mine(buyer)).toMatchObject({
      status: 'active',
      cancel_at: cancelled.body.cancel_at,
      cancelled_at: cancelled.body.cancelled_at,
    });
  });

  it('an immediate cancellation answers and keeps canceled against an event of the active state in its second', async () => {
    const { buyer, subscriptionId } = await subscriber();
    const active = structuredClone(fake.subscription(subscriptionId)!);
    fake.skewMs = 1000;
    fake.meanwhile = {
      method: 'DELETE',
      path: new RegExp(`^/v1/subscriptions/${subscriptionId}$`),
      run: async () =>
        void (await send(
          stripeEvent('customer.subscription.updated', structuredClone(active), { created: fake.nowSeconds() }),
        )),
    };
    const cancelled = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
      headers: buyer.headers,
      body: { cancel_immediately: true },
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({
      subscription_id: subscriptionId,
      status: 'canceled',
      cancel_at: null,
      message: 'Subscription has been canceled immediately.',
    });
    const second = fake.calls(new RegExp(`^/v1/subscriptions/${subscriptionId}$`), 'DELETE').at(-1)!.answeredAt!;
    expect((await send(stripeEvent('customer.subscription.updated', active, { created: second }))).status).toBe(200);
    expect(await mine(buyer)).toBeNull();
    expect((await row(subscriptionId)).status).toBe('canceled');
  });
});
