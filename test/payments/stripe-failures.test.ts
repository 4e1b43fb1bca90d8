import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
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

/** Stripe slow or failing: a 502 that names Stripe, within the budget (1.5 s here), and nothing half-written. */
forEachDatabase('payments: Stripe down', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let shop: Shop;
  let buyer: Buyer;
  const body = { price_id: 'price_basic', success_url: 'https://a.example/ok', cancel_url: 'https://a.example/no' };

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake);
    shop = await seedShop(s, fake);
    buyer = await seedBuyer(s, shop);
  });
  afterEach(() => {
    fake.fault = 'none';
    fake.faultPath = /./;
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const checkout = () =>
    s.request('POST', '/api/v1/payments/stripe/checkout-session', { headers: buyer.headers, body });

  it('no answer: 502 naming Stripe once the budget is spent, and no customer remembered', async () => {
    fake.fault = 'hang';
    const before = await paymentRows(s);
    const res = await checkout();
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^Stripe: /);
    expect(await paymentRows(s)).toEqual(before);
    // The client's own retry of the abandoned call may still reach the fake; let it land before the next test counts calls.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await paymentRows(s)).toEqual(before);
  });

  it('5xx: retried once, then 502; nothing written', async () => {
    fake.fault = 'error500';
    const seen = fake.calls(/^\/v1\/customers$/).length;
    const before = await paymentRows(s);
    const res = await checkout();
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^Stripe: request failed \(500\)/);
    expect(fake.calls(/^\/v1\/customers$/).length - seen).toBe(2);
    expect(await paymentRows(s)).toEqual(before);
  });

  it('the customer is made but the session fails: nothing kept, and the retry reuses the same Stripe customer', async () => {
    fake.fault = 'error500';
    fake.faultPath = /^\/v1\/checkout\/sessions$/;
    const before = await paymentRows(s);
    expect((await checkout()).status).toBe(502);
    expect(await paymentRows(s)).toEqual(before);
    fake.fault = 'none';
    const ok = await checkout();
    expect(ok.status).toBe(200);
    const made = fake.calls(/^\/v1\/customers$/, 'POST').filter((c) => c.account === shop.testKey);
    const keys = new Set(made.map((c) => c.idempotencyKey));
    expect(keys.size).toBe(1);
    const rows = await s.ctx.db
      .selectFrom('stripe_customers')
      .selectAll()
      .where('user_id', '=', buyer.userId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(fake.calls(/^\/v1\/checkout\/sessions$/).at(-1)!.body.customer).toBe(rows[0]!.customer_id);
  });

  it('cancel and change of plan while Stripe is down: 502 and the subscription as it was', async () => {
    const started = await checkout();
    const { session, invoice } = fake.completeCheckout(started.body.session_id);
    await deliver(
      s,
      shop.projectId,
      'test',
      stripeEvent('checkout.session.completed', session),
      shop.testWebhookSecret,
    );
    await deliver(s, shop.projectId, 'test', stripeEvent('invoice.paid', invoice), shop.testWebhookSecret);
    const before = await paymentRows(s);
    const sub = await s.request('GET', '/api/v1/payments/stripe/my-subscription', { headers: buyer.headers });
    expect(sub.body.status).toBe('active');
    for (const fault of ['hang', 'error500'] as const) {
      fake.fault = fault;
      const cancel = await s.request('POST', '/api/v1/payments/stripe/cancel-subscription', {
        headers: buyer.headers,
        body: { cancel_immediately: true },
      });
      expect(cancel.status).toBe(502);
      const update = await s.request('POST', '/api/v1/payments/stripe/update-subscription', {
        headers: buyer.headers,
        body: { new_price_id: 'price_pro' },
      });
      expect(update.status).toBe(502);
      const portal = await s.request('POST', '/api/v1/payments/stripe/customer-portal', {
        headers: buyer.headers,
        body: { return_url: 'https://a.example/b' },
      });
      expect(portal.status).toBe(502);
      const validate = await s.request(
        'POST',
        `/api/v1/payments/stripe/projects/${shop.projectId}/validate-credentials`,
        { headers: shop.dev.headers, body: { secret_key: shop.testKey } },
      );
      expect(validate.status).toBe(502);
      expect(validate.body.detail).toMatch(/^Stripe: /);
    }
    expect(await paymentRows(s)).toEqual(before);
    expect(
      (await s.request('GET', '/api/v1/payments/stripe/my-subscription', { headers: buyer.headers })).body,
    ).toEqual(sub.body);
  });

  it('a configured key Stripe no longer accepts is a 502, not a 500', async () => {
    fake.accounts.delete(shop.testKey);
    try {
      const res = await s.request('POST', '/api/v1/payments/stripe/checkout-session', {
        headers: buyer.headers,
        body: { ...body, allow_existing_subscription: true },
      });
      expect(res.status).toBe(502);
      expect(res.body.detail).toMatch(/Stripe API key was rejected/);
    } finally {
      fake.accounts.add(shop.testKey);
    }
  });
});
