import type { Selectable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogTable } from '../../src/db/schema/audit-log.js';
import { ConsoleClient } from '../console/client.js';
import { deliver, PUBLIC_URL, seedBuyer, seedShop, startPaymentsServer, stripeEvent } from '../payments/fixture.js';
import { FakeStripe } from '../payments/stripe-fake.js';
import { forEachDatabase, type TestServer } from '../support/harness.js';
import { PASSWORD, seedOperator, uniqueEmail, type SeededOperator } from '../support/seed.js';

/** An entry as the devkit face shows it: the table's columns but the owner, with changed_fields parsed. */
type Entry = Omit<Selectable<AuditLogTable>, 'owner_id' | 'created_at' | 'changed_fields'> & {
  changed_fields: string[];
};

/**
 * The changes outside licensing that the audit log once missed, each made over HTTP and read
 * back over HTTP from the log of the developer it concerns: a registration (by an operator,
 * and by the developer themself where sign-up is open), an email verification, a project's
 * Stripe configuration, a first checkout, and Stripe's own webhooks.
 */
forEachDatabase('audit: the changes outside licensing', (kind) => {
  let s: TestServer;
  let fake: FakeStripe;
  let op: SeededOperator;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    s = await startPaymentsServer(kind, fake, { RATE_LIMIT: 'false', REQUIRE_EMAIL_VERIFICATION: 'true' });
    op = await seedOperator(s.ctx);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.stop();
  });

  const logOf = async (headers: Record<string, string>, query = ''): Promise<Entry[]> => {
    const res = await s.request('GET', `/api/v1/audit-log?limit=50${query}`, { headers });
    expect(res.status, res.text).toBe(200);
    return res.body.entries;
  };

  /** Spends the mailed verification code (as the account holder does), signs in, and returns developer headers. */
  const verifyAndSignIn = async (email: string, developerKey: string) => {
    const code = /code: (\S+)/.exec(s.mailer.last(email).text)![1]!;
    const verified = await s.request('POST', '/api/v1/auth/verify-email', { body: { token: code } });
    expect(verified.status, verified.text).toBe(200);
    const again = await s.request('POST', '/api/v1/auth/verify-email', { body: { token: code } });
    expect(again.status).toBe(400);
    const login = await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status, login.text).toBe(200);
    return {
      verifyRequestId: verified.headers.get('x-request-id')!,
      headers: {
        authorization: `Bearer ${login.body.access_token}`,
        'x-user-role': 'developer',
        'x-developer-key': developerKey,
      },
    };
  };

  it("an operator's registration is the operator's entry; the provisioning shares its request id; the verification is the developer's own", async () => {
    const email = uniqueEmail();
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD, full_name: 'Audited Dev' },
    });
    expect(reg.status, reg.text).toBe(201);
    const requestId = reg.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const devId = reg.body.id as string;
    const { verifyRequestId, headers } = await verifyAndSignIn(email, reg.body.provisioning.developer_key);

    const log = await logOf(headers);
    const registered = log.filter((e) => e.action === 'developer.registered');
    expect(registered).toEqual([
      expect.objectContaining({
        actor_type: 'operator',
        actor_id: op.userId,
        key_prefix: expect.any(String),
        target_type: 'developer',
        target_id: devId,
        project_id: null,
        ip: '127.0.0.1',
        request_id: requestId,
      }),
    ]);
    expect(op.key.startsWith(registered[0]!.key_prefix!)).toBe(true);
    expect(registered[0]!.changed_fields.sort()).toEqual(['email', 'full_name', 'password']);
    for (const action of ['project.created', 'developer_key.created', 'project_key.created']) {
      expect(
        log.filter((e) => e.action === action),
        action,
      ).toEqual([expect.objectContaining({ actor_id: devId, request_id: requestId, ip: '127.0.0.1' })]);
    }
    // Spent once: one entry, whose actor is the account holder the token proved.
    expect(log.filter((e) => e.action === 'developer.email_verified')).toEqual([
      expect.objectContaining({
        actor_type: 'developer',
        actor_id: devId,
        key_prefix: null,
        target_type: 'developer',
        target_id: devId,
        ip: '127.0.0.1',
        request_id: verifyRequestId,
        changed_fields: ['email_verified_at', 'is_active'],
      }),
    ]);
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
  });

  it("an end user's verification is the end user's own act, in their project's developer's log", async () => {
    const email = uniqueEmail('dev');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    const { headers } = await verifyAndSignIn(email, reg.body.provisioning.developer_key);
    const projectId = reg.body.provisioning.project_id as string;
    const userEmail = uniqueEmail('user');
    const user = await s.request('POST', '/api/v1/auth/register', {
      headers: { 'x-developer-key': reg.body.provisioning.developer_key, 'x-project-id': projectId },
      body: { email: userEmail, password: PASSWORD },
    });
    expect(user.status, user.text).toBe(201);
    const code = /code: (\S+)/.exec(s.mailer.last(userEmail).text)![1]!;
    const verified = await s.request('POST', '/api/v1/auth/verify-email', {
      body: { user_id: user.body.id, verification_token: code },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(await logOf(headers, `&project_id=${projectId}&action=end_user.email_verified`)).toEqual([
      expect.objectContaining({
        actor_type: 'end_user',
        actor_id: user.body.id,
        target_type: 'end_user',
        target_id: user.body.id,
        project_id: projectId,
        request_id: verified.headers.get('x-request-id'),
      }),
    ]);
  });

  it("a console open sign-up is the new developer's own act, not a stand-in operator's", async () => {
    // The console takes changes only from PUBLIC_URL's origin (the payments fixture sets one).
    const o = new ConsoleClient(s, PUBLIC_URL);
    expect((await o.signInOperator(op.key)).status).toBe(200);
    expect((await o.call('PUT', '/operator/settings', { signUpOpen: true })).status).toBe(200);
    const email = uniqueEmail('signup');
    const c = new ConsoleClient(s, PUBLIC_URL);
    const signedUp = await c.call('POST', '/sign-up', { email, password: PASSWORD, fullName: 'Self Made' });
    expect(signedUp.status, signedUp.text).toBe(200);
    const requestId = signedUp.headers.get('x-request-id');
    const devId = (await s.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow())
      .id;
    const { headers } = await verifyAndSignIn(email, signedUp.body.reveal.developerKey);

    const log = await logOf(headers);
    expect(log.filter((e) => e.action === 'developer.registered')).toEqual([
      expect.objectContaining({
        actor_type: 'developer',
        actor_id: devId,
        key_prefix: null,
        target_id: devId,
        ip: '127.0.0.1',
        request_id: requestId,
      }),
    ]);
    expect(log.find((e) => e.action === 'project.created')).toMatchObject({ actor_id: devId, request_id: requestId });
    expect(
      await s.ctx.db.selectFrom('audit_log').select('id').where('actor_id', '=', 'open-sign-up').execute(),
    ).toEqual([]);
  });

  describe('payments', () => {
    it("the Stripe configuration's changes name the credentials, never their values", async () => {
      const shop = await seedShop(s, fake);
      const h = shop.dev.headers;
      const log = await logOf(h, `&project_id=${shop.projectId}&action=stripe_config.updated`);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        actor_type: 'developer_key',
        actor_id: shop.dev.userId,
        target_type: 'stripe_config',
        project_id: shop.projectId,
      });
      expect(log[0]!.changed_fields.sort()).toEqual(
        [
          'live_publishable_key',
          'live_secret_key',
          'live_webhook_secret',
          'test_publishable_key',
          'test_secret_key',
          'test_webhook_secret',
        ].sort(),
      );
      const everything = JSON.stringify(await logOf(h));
      for (const secret of [shop.testKey, shop.liveKey, shop.testWebhookSecret, shop.liveWebhookSecret])
        expect(everything).not.toContain(secret);

      const off = await s.request('DELETE', `/api/v1/payments/stripe/projects/${shop.projectId}/config`, {
        headers: h,
      });
      expect(off.status, off.text).toBeLessThan(300);
      expect(await logOf(h, `&action=stripe_config.deactivated`)).toEqual([
        expect.objectContaining({
          project_id: shop.projectId,
          changed_fields: ['is_active'],
          request_id: off.headers.get('x-request-id'),
        }),
      ]);
      // Deactivating what is not there changes nothing and writes nothing.
      const other = await s.request('POST', '/api/v1/projects/', { headers: h, body: { name: 'No Stripe here' } });
      expect(
        (await s.request('DELETE', `/api/v1/payments/stripe/projects/${other.body.id}/config`, { headers: h })).status,
      ).toBe(404);
      expect(await logOf(h, `&action=stripe_config.deactivated`)).toHaveLength(1);
    });

    it("a first checkout remembers the buyer's Stripe customer as the buyer's act; Stripe's verified events are Stripe's, once each", async () => {
      const shop = await seedShop(s, fake);
      const buyer = await seedBuyer(s, shop);
      const checkout = () =>
        s.request('POST', '/api/v1/payments/stripe/checkout-session', {
          headers: buyer.headers,
          body: {
            price_id: 'price_basic',
            success_url: 'https://app.example.com/ok',
            cancel_url: 'https://app.example.com/pricing',
          },
        });
      const first = await checkout();
      expect(first.status, first.text).toBe(200);
      const customers = await logOf(shop.dev.headers, `&action=stripe_customer.created`);
      expect(customers).toEqual([
        expect.objectContaining({
          actor_type: 'end_user',
          actor_id: buyer.userId,
          project_id: shop.projectId,
          request_id: first.headers.get('x-request-id'),
        }),
      ]);
      // The customer is known from now on: a second checkout changes nothing of ours.
      expect((await checkout()).status).toBe(200);
      expect(await logOf(shop.dev.headers, `&action=stripe_customer.created`)).toHaveLength(1);

      const { session } = fake.completeCheckout(first.body.session_id);
      const event = stripeEvent('checkout.session.completed', session);
      const applied = await deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret);
      expect(applied.status, applied.text).toBe(200);
      expect((await deliver(s, shop.projectId, 'test', event, shop.testWebhookSecret)).body).toMatchObject({
        duplicate: true,
      });
      expect(await logOf(shop.dev.headers, `&actor_type=system`)).toEqual([
        expect.objectContaining({
          actor_type: 'system',
          actor_id: 'stripe',
          action: 'stripe_event.applied',
          target_type: 'stripe_event',
          target_id: event.id,
          project_id: shop.projectId,
          ip: '127.0.0.1',
          request_id: applied.headers.get('x-request-id'),
        }),
      ]);
    });
  });
});
