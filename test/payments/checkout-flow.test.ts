import { afterAll, beforeAll, expect, it } from 'vitest';
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
 * An end user's whole life as a subscriber, through the real `stripe` client against the
 * local Stripe: checkout → checkout.session.completed → invoice.paid → my-subscription
 * active → change of plan → cancel → customer.subscription.deleted.
 */
forEachDatabase('payments: checkout to cancellation', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let shop: Shop;
  let buyer: Buyer;
  let other: Buyer;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake);
    shop = await seedShop(s, fake);
    buyer = await seedBuyer(s, shop);
    other = await seedBuyer(s, shop);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const checkout = (who: Buyer, body: Record<string, unknown> = {}, query = '') =>
    s.request('POST', `/api/v1/payments/stripe/checkout-session${query}`, {
      headers: who.headers,
      body: {
        price_id: 'price_basic',
        success_url: 'https://app.example.com/ok?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://app.example.com/pricing',
        ...body,
      },
    });
  const mine = (who: Buyer, query = '') =>
    s.request('GET', `/api/v1/payments/stripe/my-subscription${query}`, { headers: who.headers });
  const send = (event: object) => deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret);

  it('the full path', async () => {
    expect((await mine(buyer)).body).toBeNull();

    // 1. checkout: one customer for the user in test mode, a session for the price
    const started = await checkout(buyer, { metadata: { campaign: 'spring', seats: 3 } });
    expect(started.status, started.text).toBe(200);
    expect(started.body.session_id).toMatch(/^cs_test_/);
    expect(started.body.checkout_url).toBe(`https://checkout.stripe.test/c/pay/${started.body.session_id}`);
    const created = fake.calls(/^\/v1\/customers$/, 'POST');
    expect(created).toHaveLength(1);
    expect(created[0]!.account).toBe(shop.testKey);
    expect(created[0]!.body.email).toBe(buyer.email);
    expect(created[0]!.idempotencyKey).toContain(buyer.userId);
    const sessionCall = fake.calls(/^\/v1\/checkout\/sessions$/)[0]!;
    expect(sessionCall.body.metadata).toMatchObject({ campaign: 'spring', seats: '3', tollgate_user_id: buyer.userId });
    expect(sessionCall.body.line_items).toEqual([{ price: 'price_basic', quantity: '1' }]);

    // 2. the buyer pays on Stripe; Stripe tells us
    const { session, subscription, invoice } = fake.completeCheckout(started.body.session_id);
    const t = Math.floor(Date.now() / 1000);
    expect((await send(stripeEvent('checkout.session.completed', session, { created: t - 3 }))).status).toBe(200);
    expect((await send(stripeEvent('invoice.paid', invoice, { created: t - 2 }))).status).toBe(200);

    // 3. my-subscription says active
    const active = await mine(buyer);
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      project_id: shop.projectId,
      user_id: buyer.userId,
      is_test_mode: true,
      subscription_id: subscription.id,
      customer_id: subscription.customer,
      status: 'active',
      quantity: 1,
    });
    expect(Object.keys(active.body).sort()).toEqual(
      [
        'id',
        'project_id',
        'user_id',
        'is_test_mode',
        'subscription_id',
        'customer_id',
        'status',
        'plan_name',
        'quantity',
        'current_period_start',
        'current_period_end',
        'cancel_at',
        'cancelled_at',
        'created_at',
      ].sort(),
    );
    const payments = await s.request('GET', '/api/v1/payments/stripe/my-payments', { headers: buyer.headers });
    expect(payments.body).toMatchObject({ total: 1, page: 1, page_size: 50 });
    expect(payments.body.payments[0]).toMatchObject({
      status: 'succeeded',
      amount_cents: 999,
      currency: 'usd',
      user_id: buyer.userId,
      subscription_id: active.body.id,
      refunded_amount_cents: 0,
    });
    expect(payments.body.payments[0].payment_intent_id).toMatch(/^pi_/);

    // the subscription's own event brings the plan's name and period
    expect((await send(stripeEvent('customer.subscription.created', subscription, { created: t - 1 }))).status).toBe(
      200,
    );
    const named = (await mine(buyer)).body;
    expect(named.plan_name).toBe('Basic Plan');
    expect(named.current_period_end).not.toBeNull();

    // a second checkout is refused while subscribed, unless asked for
    const again = await checkout(buyer);
    expect(again.status).toBe(400);
    expect(again.body.detail).toMatch(/already has an active subscription/);
    expect((await checkout(buyer, { allow_existing_subscription: true })).status).toBe(200);
    expect(fake.calls(/^\/v1\/customers$/, 'POST')).toHaveLength(1); // the same customer again

    // 4. change of plan
    const updated = await s.request('POST', '/api/v1/payments/stripe/update-subscription', {
      headers: buyer.headers,
      body: { new_price_id: 'price_pro', proration_behavior: 'always_invoice' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toEqual({
      subscription_id: subscription.id,
      status: 'active',
      price_id: 'price_pro',
      message: 'Subscription updated to new plan successfully.',
    });
    expect(fake.subscription(subscription.id)!.last_proration_behavior).toBe('always_invoice');
    expect((await mine(buyer)).body.plan_name).toBe('Pro Plan');
    const badPrice = await s.request('POST', '/api/v1/payments/stripe/update-subscription', {
      headers: buyer.headers,
      body: { new_price_id: 'price_nope' },
    });
    expect(badPrice.status).toBe(400);
    expect(badPrice.body.detail).toMatch(/Stripe.*No such price/);

    // the portal
    const portal = await s.request('POST', '/api/v1/payments/stripe/customer-portal', {
      headers: buyer.headers,
      body: { return_url: 'https://app.example.com/billing' },
    });
    expect(portal.status).toBe(200);
    expect(portal.body.portal_url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_/);

    // 5. cancel at period end: still active, with the date it ends
    const cancelled = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
      headers: buyer.headers,
      body: {},
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({
      subscription_id: subscription.id,
      status: 'active',
      message: 'Subscription will be canceled at the end of the current billing period.',
    });
    expect(cancelled.body.cancel_at).toBe(new Date(fake.subscription(subscription.id)!.cancel_at * 1000).toISOString());
    expect(cancelled.body.cancelled_at).not.toBeNull();
    expect((await mine(buyer)).body.cancel_at).toBe(cancelled.body.cancel_at);

    // 6. the period ends; Stripe deletes the subscription
    const ended = { ...fake.subscription(subscription.id)!, status: 'canceled', ended_at: t + 1 };
    expect((await send(stripeEvent('customer.subscription.deleted', ended, { created: t + 1 }))).status).toBe(200);
    expect((await mine(buyer)).body).toBeNull();
    const list = await s.request('GET', `/api/v1/payments/stripe/projects/${shop.projectId}/subscriptions`, {
      headers: shop.dev.headers,
    });
    expect(list.body.subscriptions.find((x: any) => x.subscription_id === subscription.id)).toMatchObject({
      status: 'canceled',
    });

    // what our webhooks will tell, once each
    const types = (
      await s.ctx.db
        .selectFrom('events')
        .select('type')
        .where('project_id', '=', shop.projectId)
        .orderBy('id')
        .execute()
    ).map((e) => e.type);
    expect(types.filter((x) => x.startsWith('subscription.') || x.startsWith('payment.'))).toEqual([
      'subscription.created',
      'payment.succeeded',
      // (the subscription's own created event only filled in the plan's name and period: no change of state to tell)
      'subscription.updated', // Pro Plan
      'subscription.updated', // cancel at period end
      'subscription.canceled',
    ]);
  });

  it('cancel immediately', async () => {
    const started = await checkout(other);
    const { session, invoice } = fake.completeCheckout(started.body.session_id);
    await send(stripeEvent('checkout.session.completed', session));
    await send(stripeEvent('invoice.paid', invoice));
    const res = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
      headers: other.headers,
      body: { cancel_immediately: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'canceled',
      cancel_at: null,
      message: 'Subscription has been canceled immediately.',
    });
    expect((await mine(other)).body).toBeNull();
    const nothing = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
      headers: other.headers,
      body: {},
    });
    expect(nothing.status).toBe(404);
    expect(nothing.body.detail).toBe('No active subscription to cancel');
  });

  it('end users, modes and projects see only their own', async () => {
    const third = await seedBuyer(s, shop);
    expect((await mine(third)).body).toBeNull();
    expect((await s.request('GET', '/api/v1/payments/stripe/my-payments', { headers: third.headers })).body.total).toBe(
      0,
    );
    expect(
      (
        await s.request('POST', '/api/v1/payments/stripe/customer-portal', {
          headers: third.headers,
          body: { return_url: 'https://a.example/x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await s.request('POST', '/api/v1/payments/stripe/update-subscription', {
          headers: third.headers,
          body: { new_price_id: 'price_pro' },
        })
      ).status,
    ).toBe(404);
    // live mode is another world: no subscription, no customer yet, and its own Stripe account
    expect((await mine(buyer, '?test_mode=false')).body).toBeNull();
    expect(
      (await s.request('GET', '/api/v1/payments/stripe/my-payments?test_mode=false', { headers: buyer.headers })).body
        .total,
    ).toBe(0);
    const live = await checkout(buyer, {}, '?test_mode=false');
    expect(live.status).toBe(200);
    const liveCustomer = fake.calls(/^\/v1\/customers$/, 'POST').at(-1)!;
    expect(liveCustomer.account).toBe(shop.liveKey);
    // another project of another developer sees none of it
    const rival = await seedShop(s, fake);
    const rivalBuyer = await seedBuyer(s, rival);
    expect((await mine(rivalBuyer)).body).toBeNull();
    const theirList = await s.request('GET', '/api/v1/payments/subscriptions', { headers: rival.dev.headers });
    expect(theirList.body.total).toBe(0);
    const foreign = await s.request('GET', `/api/v1/payments/stripe/projects/${shop.projectId}/subscriptions`, {
      headers: rival.dev.headers,
    });
    expect(foreign.status).toBe(404);
    // an end user of one project cannot act in another by naming it
    const crossed = await s.request('GET', '/api/v1/payments/stripe/my-subscription', {
      headers: { ...buyer.headers, 'x-project-id': rival.projectId },
    });
    expect(crossed.status).toBe(403);
  });

  it("the developer's lists and stats", async () => {
    const subs = await s.request('GET', '/api/v1/payments/subscriptions?test_mode=true', { headers: shop.dev.headers });
    expect(subs.status).toBe(200);
    expect(subs.body.subscriptions.length).toBeGreaterThanOrEqual(2);
    for (const x of subs.body.subscriptions)
      expect(x).toMatchObject({
        project_id: shop.projectId,
        provider: 'stripe',
        project_name: expect.any(String),
        is_test_mode: true,
      });
    const canceled = await s.request('GET', '/api/v1/payments/subscriptions?status=canceled&page_size=1', {
      headers: shop.dev.headers,
    });
    expect(canceled.body).toMatchObject({ total: 2, page: 1, page_size: 1 });
    expect(canceled.body.subscriptions).toHaveLength(1);
    const tx = await s.request('GET', `/api/v1/payments/transactions?project_id=${shop.projectId}&status=succeeded`, {
      headers: shop.dev.headers,
    });
    expect(tx.body.total).toBe(2);
    expect(tx.body.payments[0]).toMatchObject({
      project_name: expect.any(String),
      provider: 'stripe',
      amount_cents: 999,
    });
    const projectPayments = await s.request(
      'GET',
      `/api/v1/payments/stripe/projects/${shop.projectId}/payments?test_mode=false`,
      { headers: shop.dev.headers },
    );
    expect(projectPayments.body.total).toBe(0);
    const stats = await s.request('GET', '/api/v1/payments/stats', { headers: shop.dev.headers });
    expect(stats.body).toEqual({
      total_projects: 1,
      projects_with_config: 1,
      projects_with_test: 1,
      projects_with_live: 1,
      total_subscriptions: 2,
      active_subscriptions: 0,
      total_payments: 2,
      successful_payments: 2,
      total_revenue_cents: 1998,
      currency: 'usd',
    });
    const liveOnly = await s.request('GET', '/api/v1/payments/stats?test_mode=false', { headers: shop.dev.headers });
    expect(liveOnly.body).toMatchObject({ total_subscriptions: 0, total_payments: 0, total_revenue_cents: 0 });
  });

  it('a one-time payment through checkout', async () => {
    const payer = await seedBuyer(s, shop);
    const started = await checkout(payer, { mode: 'payment', quantity: 2 });
    expect(started.status).toBe(200);
    const session = {
      ...fake.session(started.body.session_id)!,
      status: 'complete',
      payment_status: 'paid',
      payment_intent: 'pi_once',
    };
    await send(stripeEvent('checkout.session.completed', session));
    const pays = await s.request('GET', '/api/v1/payments/stripe/my-payments', { headers: payer.headers });
    expect(pays.body.payments).toEqual([
      expect.objectContaining({
        payment_intent_id: 'pi_once',
        amount_cents: 1998,
        status: 'succeeded',
        subscription_id: null,
      }),
    ]);
    expect((await mine(payer)).body).toBeNull();
    void paymentRows;
  });
});
