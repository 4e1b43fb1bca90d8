import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { spawnServer, type ServerProcess } from '../multiprocess/processes.js';
import { seedBuyer, seedShop, stripeEvent, type Shop } from './fixture.js';
import { FakeStripe } from './stripe-fake.js';

/**
 * Stripe retries, and may deliver one event to several of our processes at once: three
 * Tollgates (this one and two OS processes) on one database take 30 copies of each of a few
 * events between them, and each event's effect and announcement exist exactly once.
 */
forEachDatabase('payments: one Stripe event, three processes, one database', (kind) => {
  let drop: (() => Promise<void>) | null = null;
  let main: TestServer;
  let fake: FakeStripe;
  let shop: Shop;
  const children: ServerProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    // Sealed webhook secrets must open on every process: one server secret for all, as in production.
    const env = { TOLLGATE_SECRET: randomBytes(32).toString('base64url'), RATE_LIMIT: 'false' };
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    const url = shared.url;
    fake = await new FakeStripe().start();
    main = await startServer(kind, { databaseUrl: url, env: { ...env, STRIPE_API_URL: fake.url } });
    urls.push(main.url);
    // Started side by side: under load a process takes tens of seconds to compile and start.
    children.push(...(await Promise.all([spawnServer(url, { env }), spawnServer(url, { env })])));
    urls.push(...children.map((c) => c.url));
    shop = await seedShop(main, fake);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await main?.close();
    await fake?.stop();
    if (drop) await drop();
  });

  it('30 copies of each of three events, spread over three processes, apply once each', async () => {
    const buyer = await seedBuyer(main, shop);
    const subscription = {
      id: 'sub_multi',
      object: 'subscription',
      customer: 'cus_multi',
      status: 'active',
      metadata: { tollgate_user_id: buyer.userId },
      items: { data: [{ id: 'si_m', quantity: 1, price: { id: 'price_pro', nickname: 'Pro Plan' } }] },
    };
    const invoice = {
      id: 'in_multi',
      object: 'invoice',
      customer: 'cus_multi',
      currency: 'usd',
      amount_paid: 2999,
      amount_due: 2999,
      parent: { subscription_details: { subscription: 'sub_multi' } },
    };
    const session = {
      id: 'cs_multi',
      object: 'checkout.session',
      mode: 'subscription',
      customer: 'cus_multi',
      subscription: 'sub_multi',
      payment_status: 'paid',
      metadata: { tollgate_user_id: buyer.userId },
    };
    // Three different events about one new subscription, racing to be the one that creates its row.
    const events = [
      stripeEvent('customer.subscription.created', subscription),
      stripeEvent('invoice.paid', invoice),
      stripeEvent('checkout.session.completed', session),
    ];
    const sends = events.flatMap((event) =>
      Array.from({ length: 30 }, (_, i) => {
        const payload = JSON.stringify(event);
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: shop.testWebhookSecret });
        return fetch(`${urls[i % urls.length]}/api/v1/payments/stripe/webhooks/${shop.projectId}/test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body: payload,
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate?: boolean } }));
      }),
    );
    const answers = await Promise.all(sends);
    expect(answers).toHaveLength(90);
    expect(
      answers.filter((a) => a.status !== 200),
      JSON.stringify(answers.filter((a) => a.status !== 200).slice(0, 3)),
    ).toEqual([]);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(3);

    const db = main.ctx.db;
    expect(
      await db.selectFrom('stripe_subscriptions').select('status').where('subscription_id', '=', 'sub_multi').execute(),
    ).toEqual([{ status: 'active' }]);
    expect(
      await db.selectFrom('stripe_payments').select('status').where('source_id', '=', 'in_multi').execute(),
    ).toEqual([{ status: 'succeeded' }]);
    expect(
      await db.selectFrom('stripe_events').select('event_id').where('project_id', '=', shop.projectId).execute(),
    ).toHaveLength(3);
    expect(
      await db.selectFrom('stripe_customers').select('customer_id').where('user_id', '=', buyer.userId).execute(),
    ).toEqual([{ customer_id: 'cus_multi' }]);
    const announced = await db
      .selectFrom('events')
      .select('type')
      .where('project_id', '=', shop.projectId)
      .where('type', 'in', ['subscription.created', 'payment.succeeded'])
      .execute();
    expect(announced.map((e) => e.type).sort()).toEqual(['payment.succeeded', 'subscription.created']);
  }, 60_000);
});
