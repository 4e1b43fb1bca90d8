import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { signToken } from '../../src/core/accounts/access-tokens.js';
import { uuidv7 } from '../../src/lib/ids.js';
import { startServer, type DbKind, type TestResponse, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, uniqueEmail, type SeededDeveloper } from '../support/seed.js';
import type { FakeStripe } from './stripe-fake.js';

export const PUBLIC_URL = 'https://billing.tollgate.test';

/** A Tollgate whose Stripe is the local fake, with a short Stripe budget so timeouts are quick. */
export async function startPaymentsServer(
  kind: DbKind,
  fake: FakeStripe,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startServer(kind, { env: { STRIPE_API_URL: fake.url, STRIPE_TIMEOUT_MS: '1500', PUBLIC_URL, ...env } });
}

export interface Shop {
  dev: SeededDeveloper;
  projectId: string;
  projectKey: string;
  testKey: string;
  liveKey: string;
  testWebhookSecret: string;
  liveWebhookSecret: string;
}

export const webhookSecret = () => `whsec_${randomBytes(18).toString('hex')}`;

/** A developer with a project configured for Stripe in both modes (each mode its own fake account). */
export async function seedShop(s: TestServer, fake: FakeStripe, dev?: SeededDeveloper): Promise<Shop> {
  dev ??= await seedDeveloper(s.ctx);
  const project = await s.request('POST', '/api/v1/projects/', {
    headers: dev.headers,
    body: { name: `Shop ${randomBytes(3).toString('hex')}` },
  });
  if (project.status !== 201) throw new Error(`project: ${project.text}`);
  const key = await s.request('POST', `/api/v1/projects/${project.body.id}/api-keys`, {
    headers: dev.headers,
    body: { name: 'app' },
  });
  if (key.status !== 201) throw new Error(`project key: ${key.text}`);
  const testKey = fake.account('t');
  const liveKey = fake.account('l').replace('sk_test_', 'sk_live_');
  fake.accounts.add(liveKey);
  const shop: Shop = {
    dev,
    projectId: project.body.id,
    projectKey: key.body.key ?? key.body.api_key,
    testKey,
    liveKey,
    testWebhookSecret: webhookSecret(),
    liveWebhookSecret: webhookSecret(),
  };
  const put = await s.request('PUT', `/api/v1/payments/stripe/projects/${shop.projectId}/config`, {
    headers: dev.headers,
    body: {
      test_secret_key: testKey,
      test_publishable_key: `pk_test_${randomBytes(12).toString('hex')}`,
      test_webhook_secret: shop.testWebhookSecret,
      live_secret_key: liveKey,
      live_publishable_key: `pk_live_${randomBytes(12).toString('hex')}`,
      live_webhook_secret: shop.liveWebhookSecret,
    },
  });
  if (put.status !== 200) throw new Error(`config: ${put.text}`);
  return shop;
}

export interface Buyer {
  userId: string;
  email: string;
  headers: Record<string, string>;
}

/** An active end user of the shop's project with a session, and the headers the end-user routes want. */
export async function seedBuyer(s: TestServer, shop: Shop): Promise<Buyer> {
  const now = s.ctx.clock.now();
  const userId = uuidv7();
  const email = uniqueEmail('buyer');
  await s.ctx.db
    .insertInto('users')
    .values({
      id: userId,
      email,
      email_scope: shop.projectId,
      email_lower: email.toLowerCase(),
      password_hash: await s.ctx.passwords.hash(PASSWORD),
      full_name: 'Buyer',
      role: 'end_user',
      project_id: shop.projectId,
      tier: 'free_starter',
      is_active: true,
      email_verified_at: now,
      created_at: now,
    })
    .execute();
  const token = await signToken(s.ctx, { sub: userId, type: 'access', project_id: shop.projectId }, 3600);
  return {
    userId,
    email,
    headers: {
      authorization: `Bearer ${token}`,
      'x-user-role': 'end_user',
      'x-project-id': shop.projectId,
      'x-api-key': shop.projectKey,
      'x-developer-key': shop.dev.developerKey,
    },
  };
}

let seq = 0;
/** A Stripe event as Stripe sends it. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { created?: number; livemode?: boolean; id?: string } = {},
) {
  return {
    id: opts.id ?? `evt_${randomBytes(8).toString('hex')}${++seq}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: opts.created ?? Math.floor(Date.now() / 1000),
    livemode: opts.livemode ?? false,
    pending_webhooks: 1,
    type,
    data: { object },
  };
}

/** Posts an event to the webhook endpoint signed with Stripe's real scheme (the client's own test helper). */
export async function deliver(
  s: TestServer,
  projectId: string,
  mode: string,
  event: object,
  secret: string,
  opts: { timestamp?: number; signature?: string | null } = {},
): Promise<TestResponse> {
  const payload = JSON.stringify(event);
  const signature =
    opts.signature === undefined
      ? Stripe.webhooks.generateTestHeaderString({
          payload,
          secret,
          ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
        })
      : opts.signature;
  return s.request('POST', `/api/v1/payments/stripe/webhooks/${projectId}/${mode}`, {
    rawBody: payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature !== null ? { 'stripe-signature': signature } : {}),
    },
  });
}

/** Row counts of every payments table, to show a refused request changed nothing. */
export async function paymentRows(s: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'stripe_configs',
    'stripe_customers',
    'stripe_subscriptions',
    'stripe_payments',
    'stripe_events',
    'events',
  ] as const) {
    const r = await s.ctx.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}
