import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { PUBLIC_URL, paymentRows, seedBuyer, seedShop, startPaymentsServer, webhookSecret } from './fixture.js';
import { FakeStripe } from './stripe-fake.js';

forEachDatabase('payments: per-project Stripe configuration', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let dev: SeededDeveloper;
  let projectId: string;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake);
    dev = await seedDeveloper(s.ctx);
    const p = await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Billing app' } });
    projectId = p.body.id;
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const path = (suffix: string, id = projectId) => `/api/v1/payments/stripe/projects/${id}/${suffix}`;

  it('round trip: nothing, test mode, then live beside it; secrets sealed and shown masked', async () => {
    expect((await s.request('GET', path('config'), { headers: dev.headers })).body).toBeNull();

    const testSecret = fake.account('cfg');
    const whsec = webhookSecret();
    const put = await s.request('PUT', path('config'), {
      headers: dev.headers,
      body: {
        test_secret_key: testSecret,
        test_publishable_key: 'pk_test_51publishableAbCd',
        test_webhook_secret: whsec,
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      project_id: projectId,
      is_active: true,
      has_test_credentials: true,
      has_live_credentials: false,
      test_secret_key_masked: `sk_test_...${testSecret.slice(-4)}`,
      test_publishable_key_masked: 'pk_test_...AbCd',
      test_webhook_secret_masked: `whsec_...${whsec.slice(-4)}`,
      live_secret_key_masked: null,
      live_configured_at: null,
    });
    expect(put.text).not.toContain(testSecret);
    expect(put.text).not.toContain(whsec);
    const firstTestAt = put.body.test_configured_at;
    expect(firstTestAt).not.toBeNull();

    const row = await s.ctx.db
      .selectFrom('stripe_configs')
      .selectAll()
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(testSecret);
    expect(JSON.stringify(row)).not.toContain(whsec);
    expect(row.test_secret_key_enc).toMatch(/^v1\./);

    await new Promise((r) => setTimeout(r, 5));
    const live = await s.request('PUT', path('config'), {
      headers: dev.headers,
      body: { live_secret_key: 'sk_live_51liveKeyWxYz', live_webhook_secret: null },
    });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({
      has_test_credentials: true,
      has_live_credentials: true,
      live_secret_key_masked: 'sk_live_...WxYz',
      test_secret_key_masked: `sk_test_...${testSecret.slice(-4)}`,
      live_webhook_secret_masked: null,
    });
    expect(live.body.test_configured_at).toBe(firstTestAt);
    expect(live.body.live_configured_at).not.toBeNull();

    const got = await s.request('GET', path('config'), { headers: dev.headers });
    expect(got.body).toEqual(live.body);
  });

  it('refuses keys of the wrong kind or mode with 422, changing nothing', async () => {
    const before = await paymentRows(s);
    for (const body of [
      { test_secret_key: 'sk_live_51wrongModeKey' },
      { live_secret_key: 'sk_test_51wrongModeKey' },
      { test_publishable_key: 'sk_test_51notPublishable' },
      { test_webhook_secret: 'secret_without_prefix' },
      { test_secret_key: 'sk_test_' },
      { test_secret_key: 42 },
      { test_secret_key: 'sk_test_51ok1234567', extra: 'x' },
    ]) {
      const res = await s.request('PUT', path('config'), { headers: dev.headers, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
      expect(res.body.detail[0].loc[0]).toBe('body');
    }
    expect(await paymentRows(s)).toEqual(before);
  });

  it('webhook URLs come from PUBLIC_URL', async () => {
    const res = await s.request('GET', path('webhook-urls'), { headers: dev.headers });
    expect(res.body).toEqual({
      test_webhook_url: `${PUBLIC_URL}/api/v1/payments/stripe/webhooks/${projectId}/test`,
      live_webhook_url: `${PUBLIC_URL}/api/v1/payments/stripe/webhooks/${projectId}/live`,
    });
  });

  it('validate-credentials asks Stripe; a refused key or one of the other mode is valid: false', async () => {
    const good = fake.account('v');
    const ok = await s.request('POST', path('validate-credentials'), {
      headers: dev.headers,
      body: { secret_key: good },
    });
    expect(ok.body).toEqual({ valid: true, message: 'Stripe credentials are valid' });
    expect(fake.calls(/^\/v1\/balance$/).at(-1)!.account).toBe(good);

    const bad = await s.request('POST', path('validate-credentials'), {
      headers: dev.headers,
      body: { secret_key: 'sk_test_51unknownKey0000', is_test_mode: true },
    });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.message).toMatch(/Invalid API key/);
    expect(bad.body.message).not.toContain('sk_test_51unknownKey0000');

    const calls = fake.requests.length;
    const wrongMode = await s.request('POST', path('validate-credentials'), {
      headers: dev.headers,
      body: { secret_key: good, is_test_mode: false },
    });
    expect(wrongMode.body.valid).toBe(false);
    expect(fake.requests.length).toBe(calls);

    expect(
      (await s.request('POST', path('validate-credentials'), { headers: dev.headers, body: { secret_key: '' } }))
        .status,
    ).toBe(422);
    expect((await s.request('POST', path('validate-credentials'), { headers: dev.headers, body: {} })).status).toBe(
      422,
    );
  });

  it('DELETE deactivates and keeps the history; saving again re-activates', async () => {
    const shop = await seedShop(s, fake, dev);
    const buyer = await seedBuyer(s, shop);
    const del = await s.request('DELETE', path('config', shop.projectId), { headers: dev.headers });
    expect(del.status).toBe(204);
    const after = await s.request('GET', path('config', shop.projectId), { headers: dev.headers });
    expect(after.body).toMatchObject({ is_active: false, has_test_credentials: true });
    expect(after.body.test_secret_key_masked).toMatch(/^sk_test_\.\.\./);
    const listed = (await s.request('GET', '/api/v1/payments/projects', { headers: dev.headers })).body.projects.find(
      (p: any) => p.id === shop.projectId,
    );
    expect(listed).toMatchObject({ has_payment_config: false, has_test_credentials: false, is_active: true });

    const refused = await s.request('POST', '/api/v1/payments/stripe/checkout-session', {
      headers: buyer.headers,
      body: { price_id: 'price_basic', success_url: 'https://a.example/ok', cancel_url: 'https://a.example/no' },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.detail).toMatch(/Stripe is not configured/);
    expect(
      (await s.request('GET', '/api/v1/payments/stripe/my-subscription', { headers: buyer.headers })).body,
    ).toBeNull();

    const again = await s.request('PUT', path('config', shop.projectId), { headers: dev.headers, body: {} });
    expect(again.body).toMatchObject({ is_active: true, has_test_credentials: true });

    const none = await s.request('POST', '/api/v1/projects/', {
      headers: dev.headers,
      body: { name: 'Never configured' },
    });
    expect((await s.request('DELETE', path('config', none.body.id), { headers: dev.headers })).status).toBe(404);
  });

  it("another developer's project is 404 on every configuration route, and nothing changes", async () => {
    const intruder = await seedDeveloper(s.ctx);
    const before = await paymentRows(s);
    const tries: Array<[string, string, unknown?]> = [
      ['GET', 'config'],
      ['PUT', 'config', { test_secret_key: 'sk_test_51intruderKey00' }],
      ['DELETE', 'config'],
      ['GET', 'webhook-urls'],
      ['POST', 'validate-credentials', { secret_key: 'sk_test_51intruderKey00' }],
      ['GET', 'subscriptions'],
      ['GET', 'payments'],
    ];
    for (const [method, suffix, body] of tries) {
      const res = await s.request(method, path(suffix), { headers: intruder.headers, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${suffix}`).toBe(404);
      expect(res.body.detail).toBe('Project not found');
    }
    expect(await paymentRows(s)).toEqual(before);
    const stats = await s.request('GET', '/api/v1/payments/stats', { headers: intruder.headers });
    expect(stats.body).toMatchObject({ total_projects: 0, projects_with_config: 0, total_subscriptions: 0 });
  });
});
