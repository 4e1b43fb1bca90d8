import { Type } from '@sinclair/typebox';
import { createCheckoutSession } from '../../../core/payments/create-checkout-session.js';
import { listMyPayments } from '../../../core/payments/list-payments.js';
import {
  cancelSubscription,
  createPortalSession,
  updateSubscription,
} from '../../../core/payments/manage-subscription.js';
import { getMySubscription } from '../../../core/payments/my-subscription.js';
import { asEndUser } from '../../auth.js';
import type { Routes } from '../../typed.js';
import { Nullable } from '../schemas.js';
import {
  EndUserHeaders,
  PagedTestModeQuery,
  StripePaymentListResponse,
  StripeSubscriptionResponse,
  TestModeQuery,
} from './schemas.js';
import { pageFields, paymentBody, subscriptionBody } from './wire.js';

const StripeCheckoutRequest = Type.Object(
  {
    price_id: Type.String({ minLength: 1, maxLength: 255 }),
    success_url: Type.String({ minLength: 1, maxLength: 2048 }),
    cancel_url: Type.String({ minLength: 1, maxLength: 2048 }),
    mode: Type.Union([Type.Literal('subscription'), Type.Literal('payment')], { default: 'subscription' }),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
    metadata: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
    allow_existing_subscription: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
const CustomerPortalRequest = Type.Object(
  { return_url: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);
const CancelSubscriptionRequest = Type.Union([
  Type.Object(
    {
      cancel_immediately: Type.Optional(
        Type.Boolean({ description: 'Default false: cancel at the end of the period' }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const UpdateSubscriptionRequest = Type.Object(
  {
    new_price_id: Type.String({ minLength: 1, maxLength: 255 }),
    proration_behavior: Type.Union(
      [Type.Literal('create_prorations'), Type.Literal('none'), Type.Literal('always_invoice')],
      { default: 'create_prorations' },
    ),
  },
  { additionalProperties: false },
);

/** The end user's own billing: checkout, their subscription and payments, the portal, cancel and change of plan. */
export const paymentEndUserRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: payments'];
  const config = { auth: 'endUser', limit: 'management' } as const;

  app.post(
    '/api/v1/payments/stripe/checkout-session',
    {
      config,
      schema: {
        tags,
        summary: 'Start a Stripe Checkout for the end user',
        headers: EndUserHeaders,
        querystring: TestModeQuery,
        body: StripeCheckoutRequest,
        response: { 200: Type.Object({ session_id: Type.String(), checkout_url: Type.String() }) },
      },
    },
    async (request) => {
      const b = request.body;
      const session = await createCheckoutSession(ctx, asEndUser(request), {
        priceId: b.price_id,
        successUrl: b.success_url,
        cancelUrl: b.cancel_url,
        mode: b.mode,
        quantity: b.quantity,
        metadata: (b.metadata as Record<string, unknown> | null | undefined) ?? null,
        allowExistingSubscription: b.allow_existing_subscription,
        isTestMode: request.query.test_mode,
      });
      return { session_id: session.sessionId, checkout_url: session.checkoutUrl };
    },
  );

  app.get(
    '/api/v1/payments/stripe/my-subscription',
    {
      config,
      schema: {
        tags,
        summary: "The end user's current subscription, or null",
        headers: EndUserHeaders,
        querystring: TestModeQuery,
        response: { 200: Nullable(StripeSubscriptionResponse) },
      },
    },
    async (request) => {
      const subscription = await getMySubscription(ctx, asEndUser(request), request.query.test_mode);
      return subscription && subscriptionBody(subscription);
    },
  );

  app.get(
    '/api/v1/payments/stripe/my-payments',
    {
      config,
      schema: {
        tags,
        summary: "The end user's payments",
        headers: EndUserHeaders,
        querystring: PagedTestModeQuery,
        response: { 200: StripePaymentListResponse },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listMyPayments(ctx, asEndUser(request), {
        isTestMode: q.test_mode,
        page: q.page,
        pageSize: q.page_size,
      });
      return { payments: page.items.map(paymentBody), ...pageFields(page) };
    },
  );

  app.post(
    '/api/v1/payments/stripe/customer-portal',
    {
      config,
      schema: {
        tags,
        summary: 'A Stripe billing portal session for the end user',
        headers: EndUserHeaders,
        querystring: TestModeQuery,
        body: CustomerPortalRequest,
        response: { 200: Type.Object({ portal_url: Type.String() }) },
      },
    },
    async (request) => {
      const portal = await createPortalSession(ctx, asEndUser(request), {
        returnUrl: request.body.return_url,
        isTestMode: request.query.test_mode,
      });
      return { portal_url: portal.portalUrl };
    },
  );

  app.post(
    '/api/v1/payments/stripe/cancel-subscription',
    {
      config,
      schema: {
        tags,
        summary: "Cancel the end user's subscription (at period end unless cancel_immediately)",
        headers: EndUserHeaders,
        querystring: TestModeQuery,
        body: CancelSubscriptionRequest,
        response: {
          200: Type.Object({
            subscription_id: Type.String(),
            status: Type.String(),
            cancel_at: Nullable(Type.String({ format: 'date-time' })),
            cancelled_at: Nullable(Type.String({ format: 'date-time' })),
            message: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const r = await cancelSubscription(ctx, asEndUser(request), {
        cancelImmediately: request.body?.cancel_immediately ?? false,
        isTestMode: request.query.test_mode,
      });
      return {
        subscription_id: r.subscriptionId,
        status: r.status,
        cancel_at: r.cancelAt,
        cancelled_at: r.cancelledAt,
        message:
          r.status === 'canceled'
            ? 'Subscription has been canceled immediately.'
            : 'Subscription will be canceled at the end of the current billing period.',
      };
    },
  );

  app.post(
    '/api/v1/payments/stripe/update-subscription',
    {
      config,
      schema: {
        tags,
        summary: "Move the end user's subscription to another price",
        headers: EndUserHeaders,
        querystring: TestModeQuery,
        body: UpdateSubscriptionRequest,
        response: {
          200: Type.Object({
            subscription_id: Type.String(),
            status: Type.String(),
            price_id: Type.String(),
            message: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const r = await updateSubscription(ctx, asEndUser(request), {
        newPriceId: request.body.new_price_id,
        prorationBehavior: request.body.proration_behavior,
        isTestMode: request.query.test_mode,
      });
      return {
        subscription_id: r.subscriptionId,
        status: r.status,
        price_id: r.priceId ?? request.body.new_price_id,
        message: 'Subscription updated to new plan successfully.',
      };
    },
  );
};
