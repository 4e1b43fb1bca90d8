import type { Static } from '@sinclair/typebox';
import type { PaymentProject, PaymentStats } from '../../../core/payments/developer-overview.js';
import type { NumberedPage } from '../../../core/payments/numbered-page.js';
import type { Payment } from '../../../core/payments/payment.js';
import type { StripeConfig } from '../../../core/payments/stripe-config.js';
import type { Subscription } from '../../../core/payments/subscription.js';
import type {
  AggregatedPaymentResponse,
  AggregatedSubscriptionResponse,
  PaymentStatsResponse,
  ProjectPaymentConfigListResponse,
  StripeConfigResponse,
  StripePaymentResponse,
  StripeSubscriptionResponse,
} from './schemas.js';

/** The core's payments objects in the devkit's words (cloud-api/openapi.json), checked against its response schemas. */

export const subscriptionBody = (s: Subscription): Static<typeof StripeSubscriptionResponse> => ({
  id: s.id,
  project_id: s.projectId,
  user_id: s.userId,
  is_test_mode: s.isTestMode,
  subscription_id: s.subscriptionId,
  customer_id: s.customerId,
  status: s.status,
  plan_name: s.planName,
  quantity: s.quantity,
  current_period_start: s.currentPeriodStart,
  current_period_end: s.currentPeriodEnd,
  cancel_at: s.cancelAt,
  cancelled_at: s.cancelledAt,
  created_at: s.createdAt,
});

export const paymentBody = (p: Payment): Static<typeof StripePaymentResponse> => ({
  id: p.id,
  project_id: p.projectId,
  subscription_id: p.subscriptionId,
  user_id: p.userId,
  is_test_mode: p.isTestMode,
  payment_intent_id: p.paymentIntentId,
  status: p.status,
  amount_cents: p.amountCents,
  currency: p.currency,
  description: p.description,
  refunded_amount_cents: p.refundedAmountCents,
  created_at: p.createdAt,
});

/** Items of the lists across projects name their project and provider. */
export const acrossProjects =
  <T, W>(body: (item: T) => W) =>
  (item: T & { projectName: string }): W & { project_name: string; provider: string } => ({
    ...body(item),
    project_name: item.projectName,
    provider: 'stripe',
  });
export const aggregatedSubscriptionBody: (
  s: Subscription & { projectName: string },
) => Static<typeof AggregatedSubscriptionResponse> = acrossProjects(subscriptionBody);
export const aggregatedPaymentBody: (p: Payment & { projectName: string }) => Static<typeof AggregatedPaymentResponse> =
  acrossProjects(paymentBody);

/** The devkit's numbered page beside its items: total, page and page_size. */
export const pageFields = (page: NumberedPage<unknown>) => ({
  total: page.total,
  page: page.page,
  page_size: page.pageSize,
});

export const configBody = (c: StripeConfig): Static<typeof StripeConfigResponse> => ({
  id: c.id,
  project_id: c.projectId,
  is_active: c.isActive,
  has_test_credentials: c.test.hasCredentials,
  has_live_credentials: c.live.hasCredentials,
  test_secret_key_masked: c.test.secretKeyMask,
  test_publishable_key_masked: c.test.publishableKeyMask,
  test_webhook_secret_masked: c.test.webhookSecretMask,
  live_secret_key_masked: c.live.secretKeyMask,
  live_publishable_key_masked: c.live.publishableKeyMask,
  live_webhook_secret_masked: c.live.webhookSecretMask,
  test_configured_at: c.test.configuredAt,
  live_configured_at: c.live.configuredAt,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

export const projectsBody = (projects: PaymentProject[]): Static<typeof ProjectPaymentConfigListResponse> => ({
  projects: projects.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    has_payment_config: p.hasPaymentConfig,
    has_test_credentials: p.hasTestCredentials,
    has_live_credentials: p.hasLiveCredentials,
    test_configured_at: p.testConfiguredAt,
    live_configured_at: p.liveConfiguredAt,
    is_active: p.isActive,
    created_at: p.createdAt,
  })),
  total: projects.length,
});

export const statsBody = (s: PaymentStats): Static<typeof PaymentStatsResponse> => ({
  total_projects: s.totalProjects,
  projects_with_config: s.projectsWithConfig,
  projects_with_test: s.projectsWithTest,
  projects_with_live: s.projectsWithLive,
  total_subscriptions: s.totalSubscriptions,
  active_subscriptions: s.activeSubscriptions,
  total_payments: s.totalPayments,
  successful_payments: s.successfulPayments,
  total_revenue_cents: s.totalRevenueCents,
  currency: s.currency,
});
