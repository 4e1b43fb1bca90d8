import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  FAST_JOBS,
  image,
  postGeneration,
  seedProjectUser,
  waitForEnd,
  type SeededEndUser,
} from '../generations/fixtures.js';
import { deliver, stripeEvent, webhookSecret } from '../payments/fixture.js';
import { FakeStripe } from '../payments/stripe-fake.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { ConsoleClient } from './client.js';

/**
 * The console's generations, payments and end-user pages over real HTTP: what each route
 * answers, that it calls the same core the wire faces do (a change shows on the wire and in
 * the audit log), and that secrets stay masked.
 */
forEachDatabase('console API: generations, payments, end-user details', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let dev: SeededDeveloper;
  let c: ConsoleClient;
  let eu: SeededEndUser;
  let projectId: string;
  const generationIds: string[] = [];

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startServer(kind, {
      env: { RATE_LIMIT: 'off', STRIPE_API_URL: fake.url, STRIPE_TIMEOUT_MS: '1500', ...FAST_JOBS },
    });
    dev = await seedDeveloper(s.ctx);
    eu = await seedProjectUser(s.ctx, { developer: dev });
    projectId = eu.projectId;
    c = new ConsoleClient(s);
    expect((await c.signIn(dev.email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const r = await postGeneration(s.url, eu.headers, {
        images: [await image('png', i + 1)],
        instructions: `a lighthouse ${i}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      generationIds.push(r.body.id);
      await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, eu.headers);
    }
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  it('the dashboard in one call: generations this month against the quota, live subscriptions, and generations per day beside runtime checks', async () => {
    const d = await c.call('GET', '/dashboard');
    expect(d.status, d.text).toBe(200);
    expect(d.body.generations).toEqual({ month: new Date().toISOString().slice(0, 7), used: 3, limit: 100 });
    expect(d.body.counts).toMatchObject({ projects: 1, endUsers: 1, activeSubscriptions: 0 });
    expect(d.body.chart).toHaveLength(14);
    expect(d.body.chart.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), generations: 3 });
    expect(d.body.chart.reduce((n: number, x: { generations: number }) => n + x.generations, 0)).toBe(3);
    expect(d.body.health).toEqual([]);
  });

  it('lists the project gallery newest first with server paging, a status filter and the month’s usage against the quota', async () => {
    const all = await c.call('GET', `/projects/${projectId}/generations`);
    expect(all.status, all.text).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((g: { id: string }) => g.id)).toEqual([...generationIds].reverse());
    expect(all.body.usage).toEqual({ month: new Date().toISOString().slice(0, 7), used: 3, limit: 100 });
    const g = all.body.items[0];
    expect(g).toMatchObject({ status: 'completed', isPublic: false, examples: 1, error: null });
    // Private: a same-origin, signed path (the console's CSP allows only 'self'), which serves the image.
    expect(g.imageUrl).toMatch(/^\/api\/v1\/generation\/images\/[0-9a-f-]+\/result\?expires=\d+&sig=[0-9a-f]+$/);
    expect(g.thumbnailUrl).toBe(g.imageUrl);
    const img = await fetch(s.url + g.imageUrl);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
    const page2 = await c.call('GET', `/projects/${projectId}/generations?perPage=2&page=2`);
    expect(page2.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.body.items.map((x: { id: string }) => x.id)).toEqual([generationIds[0]]);
    expect((await c.call('GET', `/projects/${projectId}/generations?status=failed`)).body).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await c.call('GET', `/projects/${projectId}/generations?status=completed`)).body.total).toBe(3);
    const bad = await c.call('GET', `/projects/${projectId}/generations?status=weird`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('status');
  });

  it('toggles a generation public (its URL is then stable and unsigned) and back, audited; the end user sees the change', async () => {
    const id = generationIds[1]!;
    const on = await c.call('PATCH', `/projects/${projectId}/generations/${id}`, { isPublic: true });
    expect(on.status, on.text).toBe(200);
    expect(on.body.isPublic).toBe(true);
    expect(on.body.imageUrl).toBe(`/api/v1/generation/images/${id}/result`);
    expect((await fetch(s.url + on.body.imageUrl)).status).toBe(200);
    const wire = await s.request('GET', '/api/v1/generation/public-generations-v2', {
      headers: { 'x-project-id': projectId },
    });
    expect(wire.body.generations.map((g: { id: string }) => g.id)).toEqual([id]);
    const off = await c.call('PATCH', `/projects/${projectId}/generations/${id}`, { isPublic: false });
    expect(off.body.isPublic).toBe(false);
    expect((await fetch(`${s.url}/api/v1/generation/images/${id}/result`)).status).toBe(404);
    const audit = await s.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    // The end user's create (the devkit face's entry), then the developer's two changes, all in the developer's log.
    expect(audit.map((a) => [a.action, a.actor_type, a.owner_id, JSON.parse(a.changed_fields)])).toEqual([
      ['generation.created', 'end_user', dev.userId, []],
      ['generation.updated', 'developer', dev.userId, ['is_public']],
      ['generation.updated', 'developer', dev.userId, ['is_public']],
    ]);
  });

  it('deletes a generation with its images; the quota unit stays spent; a second delete is 404', async () => {
    const id = generationIds[0]!;
    const row = await s.ctx.db
      .selectFrom('generations')
      .select(['result_key', 'example_images'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const del = await c.call('DELETE', `/projects/${projectId}/generations/${id}`);
    expect(del.status, del.text).toBe(200);
    expect(
      await s.ctx.db.selectFrom('generations').select('id').where('id', '=', id).executeTakeFirst(),
    ).toBeUndefined();
    expect(await s.ctx.blobs.get(row.result_key!)).toBeNull();
    // The images went through the durable queue, emptied before the answer.
    expect(
      await s.ctx.db
        .selectFrom('generation_blob_deletions')
        .select('generation_id')
        .where('generation_id', '=', id)
        .execute(),
    ).toEqual([]);
    const after = await c.call('GET', `/projects/${projectId}/generations`);
    expect(after.body).toMatchObject({ total: 2, usage: { used: 3 } });
    // The dashboard counts the same two things and labels them apart: the quota still 3, the chart of kept generations 2.
    const dash = (await c.call('GET', '/dashboard')).body;
    expect(dash.generations.used).toBe(3);
    expect(dash.chart.reduce((n: number, d: { generations: number }) => n + d.generations, 0)).toBe(2);
    expect((await c.call('DELETE', `/projects/${projectId}/generations/${id}`)).status).toBe(404);
    const audit = await s.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.actor_type])).toEqual([
      ['generation.created', 'end_user'],
      ['generation.deleted', 'developer'],
    ]);
    // The end user's own list no longer has it.
    const mine = await s.request('GET', '/api/v1/generation/generations-v2', { headers: eu.headers });
    expect(mine.body.generations.map((g: { id: string }) => g.id)).not.toContain(id);
  });

  it('Stripe settings: bad keys refused by field in words, good ones saved and shown masked only; the key checked with Stripe', async () => {
    const empty = await c.call('GET', `/projects/${projectId}/payments`);
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.config).toBeNull();
    expect(empty.body.webhookUrls).toEqual({
      test: `http://localhost:${s.config.port}/api/v1/payments/stripe/webhooks/${projectId}/test`,
      live: `http://localhost:${s.config.port}/api/v1/payments/stripe/webhooks/${projectId}/live`,
    });
    const bad = await c.call('PUT', `/projects/${projectId}/payments/config`, {
      testSecretKey: 'sk_live_51notTheRightMode',
      testPublishableKey: 'pk_test_goodEnough123',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual([
      { field: 'test_secret_key', message: 'Invalid key format: expected a Stripe test secret key (sk_test_...)' },
    ]);
    expect((await c.call('GET', `/projects/${projectId}/payments`)).body.config).toBeNull();
    expect((await c.call('PUT', `/projects/${projectId}/payments/config`, {})).status).toBe(422);

    const key = fake.account('console');
    const hook = webhookSecret();
    const ok = await c.call('PUT', `/projects/${projectId}/payments/config`, {
      testSecretKey: key,
      testPublishableKey: 'pk_test_consolePublishable1',
      testWebhookSecret: hook,
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({
      isActive: true,
      test: { configured: true, secretKey: `sk_test_...${key.slice(-4)}`, webhookSecret: `whsec_...${hook.slice(-4)}` },
      live: { configured: false, secretKey: null },
    });
    expect(ok.text).not.toContain(key);
    expect(ok.text).not.toContain(hook);
    const again = await c.call('GET', `/projects/${projectId}/payments`);
    expect(again.text).not.toContain(key);
    expect(again.body.config.test.publishableKey).toBe('pk_test_...ble1');

    expect(
      (await c.call('POST', `/projects/${projectId}/payments/validate`, { mode: 'test', secretKey: key })).body,
    ).toEqual({ valid: true, message: 'Stripe credentials are valid' });
    const refused = await c.call('POST', `/projects/${projectId}/payments/validate`, {
      mode: 'test',
      secretKey: 'sk_test_unknownToStripe123',
    });
    expect(refused.status).toBe(200);
    expect(refused.body.valid).toBe(false);
    expect(
      (await c.call('POST', `/projects/${projectId}/payments/validate`, { mode: 'live', secretKey: key })).body,
    ).toEqual({
      valid: false,
      message: 'Not a live mode secret key: expected one starting with sk_live_',
    });

    // Subscriptions and transactions arrive from Stripe; the lists filter and page on the server, the stats count them.
    const now = Math.floor(Date.now() / 1000);
    const sub = (id: string, status: string) => ({
      id,
      object: 'subscription',
      customer: 'cus_console',
      status,
      metadata: { tollgate_user_id: eu.userId },
      items: {
        data: [
          {
            id: `si_${id}`,
            quantity: 1,
            price: { id: 'price_pro', nickname: 'Pro Plan' },
            current_period_start: now,
            current_period_end: now + 86400 * 30,
          },
        ],
      },
    });
    for (const [id, status] of [
      ['sub_a', 'active'],
      ['sub_b', 'canceled'],
      ['sub_c', 'past_due'],
    ] as const) {
      expect(
        (await deliver(s, projectId, 'test', stripeEvent('customer.subscription.created', sub(id, status)), hook))
          .status,
      ).toBe(200);
    }
    const invoice = {
      id: 'in_console',
      object: 'invoice',
      customer: 'cus_console',
      currency: 'usd',
      amount_paid: 2999,
      amount_due: 2999,
      parent: { subscription_details: { subscription: 'sub_a' } },
    };
    expect((await deliver(s, projectId, 'test', stripeEvent('invoice.paid', invoice), hook)).status).toBe(200);

    const subs = await c.call('GET', `/projects/${projectId}/payments/subscriptions?mode=test`);
    expect(subs.status, subs.text).toBe(200);
    expect(subs.body.total).toBe(3);
    expect(
      (await c.call('GET', `/projects/${projectId}/payments/subscriptions?mode=test&status=canceled`)).body.items.map(
        (x: { subscriptionId: string }) => x.subscriptionId,
      ),
    ).toEqual(['sub_b']);
    expect((await c.call('GET', `/projects/${projectId}/payments/subscriptions?mode=live`)).body.total).toBe(0);
    expect((await c.call('GET', `/projects/${projectId}/payments/subscriptions?status=nope`)).status).toBe(422);
    const tx = await c.call('GET', `/projects/${projectId}/payments/transactions?status=succeeded`);
    expect(tx.body.items).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        amountCents: 2999,
        currency: 'usd',
        isTestMode: true,
        userId: eu.userId,
      }),
    ]);
    const stats = (await c.call('GET', `/projects/${projectId}/payments`)).body.stats;
    expect(stats.all).toMatchObject({
      totalSubscriptions: 3,
      activeSubscriptions: 1,
      totalPayments: 1,
      successfulPayments: 1,
      revenueCents: 2999,
    });
    expect(stats.live).toMatchObject({ totalSubscriptions: 0, totalPayments: 0, revenueCents: 0 });

    // The end user's details show the subscription state and the payment.
    const details = await c.call('GET', `/end-users/${eu.userId}`);
    expect(details.status, details.text).toBe(200);
    expect(details.body.subscriptions.test).toMatchObject({ status: 'past_due', planName: 'Pro Plan' });
    expect(details.body.subscriptions.live).toBeNull();
    expect(details.body.payments).toMatchObject({ total: 1, recent: [expect.objectContaining({ amountCents: 2999 })] });

    // Deactivating keeps the history.
    expect((await c.call('DELETE', `/projects/${projectId}/payments/config`)).status).toBe(200);
    const off = await c.call('GET', `/projects/${projectId}/payments`);
    expect(off.body.config.isActive).toBe(false);
    expect((await c.call('GET', `/projects/${projectId}/payments/subscriptions`)).body.total).toBe(3);
  });

  it('an end user’s details: profile, project and generations by status; another developer’s user is 404', async () => {
    const d = await c.call('GET', `/end-users/${eu.userId}`);
    expect(d.status).toBe(200);
    expect(d.body.user).toMatchObject({
      id: eu.userId,
      fullName: 'End User',
      isActive: true,
      projectId,
      emailVerifiedAt: null,
    });
    expect(d.body.generations).toEqual({ total: 2, pending: 0, processing: 0, completed: 2, failed: 0 });
    const stranger = await seedProjectUser(s.ctx);
    expect((await c.call('GET', `/end-users/${stranger.userId}`)).status).toBe(404);
    expect((await c.call('GET', `/end-users/${dev.userId}`)).status).toBe(404);
    expect((await c.call('GET', '/end-users/not-a-uuid')).status).toBe(404);
  });

  it('the registration trend: one call, one zero-filled entry per day ending today, per project or across projects', async () => {
    const second = await seedProjectUser(s.ctx, { developer: dev });
    const t = await c.call('GET', '/end-users/trend');
    expect(t.status, t.text).toBe(200);
    expect(t.body.days).toHaveLength(30);
    expect(t.body.days.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), count: 2 });
    expect(t.body.total).toBe(2);
    expect(t.body.days.slice(0, -1).every((d: { count: number }) => d.count === 0)).toBe(true);
    const one = await c.call('GET', `/end-users/trend?days=7&projectId=${second.projectId}`);
    expect(one.body.days).toHaveLength(7);
    expect(one.body.total).toBe(1);
    const foreign = await seedProjectUser(s.ctx);
    expect((await c.call('GET', `/end-users/trend?projectId=${foreign.projectId}`)).status).toBe(404);
    expect((await c.call('GET', '/end-users/trend?days=3')).status).toBe(422);
  });
});

forEachDatabase('console API: the dashboard names what is wrong with the instance', (kind) => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const dashboardOf = async (env: Record<string, string>) => {
    const s = await startServer(kind, { env: { RATE_LIMIT: 'off', ...env }, configuredMailer: true });
    servers.push(s);
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    const signIn = await c.signIn(dev.email, PASSWORD);
    expect(signIn.status, signIn.text).toBe(200);
    return { s, dev, load: async () => (await c.call('GET', '/dashboard')).body.health as string[] };
  };

  it('mail required but no SMTP server set is a problem in words', async () => {
    const { load } = await dashboardOf({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    expect(await load()).toEqual([expect.stringMatching(/no SMTP server is set \(SMTP_URL\)/)]);
  });

  it('a generation provider whose generations of the last hour mostly failed is a problem in words', async () => {
    const { s, dev, load } = await dashboardOf({ REQUIRE_EMAIL_VERIFICATION: 'false' });
    expect(await load()).toEqual([]);
    const eu = await seedProjectUser(s.ctx, { developer: dev });
    for (let i = 0; i < 3; i++) {
      const r = await postGeneration(s.url, eu.headers, {
        images: [await image('png', i + 7)],
        instructions: `doomed ${i}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await s.ctx.db
        .updateTable('generations')
        .set({ status: 'failed', error: 'provider down', lease_until: null, lease_token: null })
        .where('id', '=', r.body.id)
        .execute();
    }
    expect(await load()).toEqual([expect.stringMatching(/Most generations of the last hour failed \(3 of 3\)/)]);
  });
});
