import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { deleteStripeConfig } from '../../core/payments/delete-config.js';
import { paymentStats, type PaymentStats } from '../../core/payments/developer-overview.js';
import { getStripeConfig } from '../../core/payments/get-config.js';
import { listProjectPayments, listProjectSubscriptions } from '../../core/payments/list-payments.js';
import { PAYMENT_STATUSES } from '../../core/payments/payment.js';
import { putStripeConfig } from '../../core/payments/put-config.js';
import type { StripeConfig } from '../../core/payments/stripe-config.js';
import { SUBSCRIPTION_STATUSES } from '../../core/payments/subscription.js';
import { validateCredentials } from '../../core/payments/validate-credentials.js';
import { webhookUrls } from '../../core/payments/webhook-urls.js';
import type { App } from '../typed.js';
import { developerOf } from './caller.js';
import { N, Ok, ProjectParams } from './schemas.js';

const Mode = Type.Union([Type.Literal('test'), Type.Literal('live')]);

/** Secrets only ever masked (`sk_test_...aBcD`): the sealed values never leave the core. */
const ModeConfig = Type.Object({
  secretKey: N(Type.String()),
  publishableKey: N(Type.String()),
  webhookSecret: N(Type.String()),
  configured: Type.Boolean(),
  configuredAt: N(Type.String()),
});
const ConfigSchema = Type.Object({
  isActive: Type.Boolean(),
  test: ModeConfig,
  live: ModeConfig,
  updatedAt: N(Type.String()),
});
const configBody = (c: StripeConfig) => {
  const mode = (m: StripeConfig['test']) => ({
    secretKey: m.secretKeyMask,
    publishableKey: m.publishableKeyMask,
    webhookSecret: m.webhookSecretMask,
    configured: m.hasCredentials,
    configuredAt: m.configuredAt,
  });
  return { isActive: c.isActive, test: mode(c.test), live: mode(c.live), updatedAt: c.updatedAt ?? c.createdAt };
};

const StatsSchema = Type.Object({
  totalSubscriptions: Type.Integer(),
  activeSubscriptions: Type.Integer(),
  totalPayments: Type.Integer(),
  successfulPayments: Type.Integer(),
  revenueCents: Type.Integer(),
  currency: Type.String(),
});
const statsBody = (s: PaymentStats) => ({
  totalSubscriptions: s.totalSubscriptions,
  activeSubscriptions: s.activeSubscriptions,
  totalPayments: s.totalPayments,
  successfulPayments: s.successfulPayments,
  revenueCents: s.totalRevenueCents,
  currency: s.currency,
});

const Credential = Type.Optional(Type.String({ maxLength: 255 }));
const listQuery = (statuses: readonly string[]) =>
  Type.Object(
    {
      page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
      mode: Type.Optional(Mode),
      status: Type.Optional(Type.Union(statuses.map((s) => Type.Literal(s)))),
    },
    { additionalProperties: false },
  );
const PAGE_SIZE = 20;
const paged = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });

const SubscriptionSchema = Type.Object({
  id: Type.String(),
  subscriptionId: Type.String(),
  userId: N(Type.String()),
  isTestMode: Type.Boolean(),
  status: Type.String(),
  planName: N(Type.String()),
  quantity: Type.Integer(),
  currentPeriodEnd: N(Type.String()),
  cancelAt: N(Type.String()),
  createdAt: Type.String(),
});
const PaymentSchema = Type.Object({
  id: Type.String(),
  paymentIntentId: Type.String(),
  userId: N(Type.String()),
  isTestMode: Type.Boolean(),
  status: Type.String(),
  amountCents: Type.Integer(),
  refundedAmountCents: Type.Integer(),
  currency: Type.String(),
  description: N(Type.String()),
  createdAt: Type.String(),
});

/**
 * A project's payments for its developer (page 10 of the console): the Stripe settings per
 * mode with the webhook URLs, a check of a secret key with Stripe, the subscriptions and
 * transactions with filters and paging on the server, and the stats.
 */
export function paymentRoutes(app: App, ctx: Context): void {
  const dev = { auth: 'consoleDeveloper' as const };
  const devWrite = { auth: 'consoleDeveloper' as const, limit: 'management' as const };

  // The settings tab in one call: configuration (masked), webhook URLs, stats live and with test mode.
  app.get(
    '/console/api/projects/:projectId/payments',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        response: {
          200: Type.Object({
            config: N(ConfigSchema),
            webhookUrls: Type.Object({ test: Type.String(), live: Type.String() }),
            stats: Type.Object({ live: StatsSchema, all: StatsSchema }),
          }),
        },
      },
    },
    async (request) => {
      const p = developerOf(request);
      const id = request.params.projectId;
      const [config, urls, live, all] = await Promise.all([
        getStripeConfig(ctx, p, id),
        webhookUrls(ctx, p, id),
        paymentStats(ctx, p, false, id),
        paymentStats(ctx, p, true, id),
      ]);
      return {
        config: config ? configBody(config) : null,
        webhookUrls: urls,
        stats: { live: statsBody(live), all: statsBody(all) },
      };
    },
  );

  app.put(
    '/console/api/projects/:projectId/payments/config',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        // The core's credential names in camelCase, so its field errors land next to these inputs.
        body: Type.Object(
          {
            testSecretKey: Credential,
            testPublishableKey: Credential,
            testWebhookSecret: Credential,
            liveSecretKey: Credential,
            livePublishableKey: Credential,
            liveWebhookSecret: Credential,
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ConfigSchema },
      },
    },
    async (request) => {
      const b = request.body;
      const view = await putStripeConfig(ctx, developerOf(request), request.params.projectId, {
        test_secret_key: b.testSecretKey,
        test_publishable_key: b.testPublishableKey,
        test_webhook_secret: b.testWebhookSecret,
        live_secret_key: b.liveSecretKey,
        live_publishable_key: b.livePublishableKey,
        live_webhook_secret: b.liveWebhookSecret,
      });
      return configBody(view);
    },
  );

  app.delete(
    '/console/api/projects/:projectId/payments/config',
    { config: devWrite, schema: { hide: true, params: ProjectParams, response: { 200: Ok } } },
    async (request) => {
      await deleteStripeConfig(ctx, developerOf(request), request.params.projectId);
      return { ok: true };
    },
  );

  app.post(
    '/console/api/projects/:projectId/payments/validate',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object(
          { mode: Mode, secretKey: Type.String({ minLength: 1, maxLength: 255 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ valid: Type.Boolean(), message: Type.String() }) },
      },
    },
    async (request) =>
      validateCredentials(ctx, developerOf(request), request.params.projectId, {
        secretKey: request.body.secretKey,
        isTestMode: request.body.mode === 'test',
      }),
  );

  const filter = (q: { page?: number; mode?: 'test' | 'live'; status?: string }) => ({
    page: q.page ?? 1,
    pageSize: PAGE_SIZE,
    isTestMode: q.mode === undefined ? null : q.mode === 'test',
    status: q.status ?? null,
  });

  app.get(
    '/console/api/projects/:projectId/payments/subscriptions',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: listQuery(SUBSCRIPTION_STATUSES),
        response: { 200: paged(SubscriptionSchema) },
      },
    },
    async (request) => {
      const r = await listProjectSubscriptions(
        ctx,
        developerOf(request),
        request.params.projectId,
        filter(request.query),
      );
      return r;
    },
  );

  app.get(
    '/console/api/projects/:projectId/payments/transactions',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: listQuery(PAYMENT_STATUSES),
        response: { 200: paged(PaymentSchema) },
      },
    },
    async (request) => {
      const r = await listProjectPayments(ctx, developerOf(request), request.params.projectId, filter(request.query));
      return r;
    },
  );
}
