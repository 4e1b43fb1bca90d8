import { Type } from '@sinclair/typebox';
import { Nullable } from '../schemas.js';

/** Response shapes exactly as cloud-api/openapi.json names them; allowlists, so sealed columns cannot reach the wire. */
const DateTime = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });

export const StripeConfigResponse = Type.Object({
  id: Uuid,
  project_id: Uuid,
  is_active: Type.Boolean(),
  has_test_credentials: Type.Boolean(),
  has_live_credentials: Type.Boolean(),
  test_secret_key_masked: Nullable(Type.String()),
  test_publishable_key_masked: Nullable(Type.String()),
  test_webhook_secret_masked: Nullable(Type.String()),
  live_secret_key_masked: Nullable(Type.String()),
  live_publishable_key_masked: Nullable(Type.String()),
  live_webhook_secret_masked: Nullable(Type.String()),
  test_configured_at: Nullable(DateTime),
  live_configured_at: Nullable(DateTime),
  created_at: DateTime,
  updated_at: Nullable(DateTime),
});

const subscriptionFields = {
  id: Uuid,
  project_id: Uuid,
  user_id: Nullable(Uuid),
  is_test_mode: Type.Boolean(),
  subscription_id: Type.String(),
  customer_id: Nullable(Type.String()),
  status: Type.String(),
  plan_name: Nullable(Type.String()),
  quantity: Type.Integer(),
  current_period_start: Nullable(DateTime),
  current_period_end: Nullable(DateTime),
  cancel_at: Nullable(DateTime),
  cancelled_at: Nullable(DateTime),
  created_at: DateTime,
};
export const StripeSubscriptionResponse = Type.Object(subscriptionFields);
export const AggregatedSubscriptionResponse = Type.Object({
  ...subscriptionFields,
  project_name: Type.String(),
  provider: Type.String(),
});

const paymentFields = {
  id: Uuid,
  project_id: Uuid,
  subscription_id: Nullable(Uuid),
  user_id: Nullable(Uuid),
  is_test_mode: Type.Boolean(),
  payment_intent_id: Type.String(),
  status: Type.String(),
  amount_cents: Type.Integer(),
  currency: Type.String(),
  description: Nullable(Type.String()),
  refunded_amount_cents: Type.Integer(),
  created_at: DateTime,
};
export const StripePaymentResponse = Type.Object(paymentFields);
export const AggregatedPaymentResponse = Type.Object({
  ...paymentFields,
  project_name: Type.String(),
  provider: Type.String(),
});

const page = { total: Type.Integer(), page: Type.Integer(), page_size: Type.Integer() };
export const StripeSubscriptionListResponse = Type.Object({
  subscriptions: Type.Array(StripeSubscriptionResponse),
  ...page,
});
export const StripePaymentListResponse = Type.Object({ payments: Type.Array(StripePaymentResponse), ...page });
export const AggregatedSubscriptionListResponse = Type.Object({
  subscriptions: Type.Array(AggregatedSubscriptionResponse),
  ...page,
});
export const AggregatedPaymentListResponse = Type.Object({ payments: Type.Array(AggregatedPaymentResponse), ...page });

export const ProjectPaymentConfigListResponse = Type.Object({
  projects: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      description: Nullable(Type.String()),
      has_payment_config: Type.Boolean(),
      has_test_credentials: Type.Boolean(),
      has_live_credentials: Type.Boolean(),
      test_configured_at: Nullable(DateTime),
      live_configured_at: Nullable(DateTime),
      is_active: Type.Boolean(),
      created_at: DateTime,
    }),
  ),
  total: Type.Integer(),
});

export const PaymentStatsResponse = Type.Object({
  total_projects: Type.Integer(),
  projects_with_config: Type.Integer(),
  projects_with_test: Type.Integer(),
  projects_with_live: Type.Integer(),
  total_subscriptions: Type.Integer(),
  active_subscriptions: Type.Integer(),
  total_payments: Type.Integer(),
  successful_payments: Type.Integer(),
  total_revenue_cents: Type.Integer(),
  currency: Type.String(),
});

export const TestModeQuery = Type.Object({
  test_mode: Type.Boolean({ default: true, description: 'Use test mode (default true)' }),
});
export const PagedTestModeQuery = Type.Object({
  test_mode: Type.Boolean({ default: true }),
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});
export const AcrossProjectsQuery = Type.Object({
  project_id: Type.Optional(Type.String({ format: 'uuid' })),
  test_mode: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.String({ maxLength: 32 })),
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});

/** The end-user headers, documented for the OpenAPI page; checked by the end-user credential, not the schema. */
export const EndUserHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <end user access token>' })),
  'x-user-role': Type.Optional(Type.String({ description: 'end_user' })),
  'x-project-id': Type.Optional(Type.String({ description: 'The project UUID' })),
  'x-api-key': Type.Optional(Type.String({ description: 'A project API key of that project' })),
  'x-developer-key': Type.Optional(Type.String({ description: "The project owner's developer key" })),
});
