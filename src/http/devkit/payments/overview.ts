import {
  listAllPayments,
  listAllSubscriptions,
  listPaymentProjects,
  paymentStats,
} from '../../../core/payments/developer-overview.js';
import { listProjectPayments, listProjectSubscriptions } from '../../../core/payments/list-payments.js';
import { asDeveloper } from '../../auth.js';
import type { Routes } from '../../typed.js';
import { DevkitAuthHeaders, ProjectIdParams } from '../schemas.js';
import {
  AcrossProjectsQuery,
  AggregatedPaymentListResponse,
  AggregatedSubscriptionListResponse,
  PagedTestModeQuery,
  PaymentStatsResponse,
  ProjectPaymentConfigListResponse,
  StripePaymentListResponse,
  StripeSubscriptionListResponse,
  TestModeQuery,
} from './schemas.js';
import {
  aggregatedPaymentBody,
  aggregatedSubscriptionBody,
  pageFields,
  paymentBody,
  projectsBody,
  statsBody,
  subscriptionBody,
} from './wire.js';

/** What the developer sees of their end users' payments: per project, across projects, and in sum. */
export const paymentOverviewRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: payments'];
  const config = { auth: 'developer', limit: 'management' } as const;

  app.get(
    '/api/v1/payments/stripe/projects/:project_id/subscriptions',
    {
      config,
      schema: {
        tags,
        summary: "A project's subscriptions",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        querystring: PagedTestModeQuery,
        response: { 200: StripeSubscriptionListResponse },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listProjectSubscriptions(ctx, asDeveloper(request), request.params.project_id, {
        isTestMode: q.test_mode,
        page: q.page,
        pageSize: q.page_size,
      });
      return { subscriptions: page.items.map(subscriptionBody), ...pageFields(page) };
    },
  );

  app.get(
    '/api/v1/payments/stripe/projects/:project_id/payments',
    {
      config,
      schema: {
        tags,
        summary: "A project's payments",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        querystring: PagedTestModeQuery,
        response: { 200: StripePaymentListResponse },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listProjectPayments(ctx, asDeveloper(request), request.params.project_id, {
        isTestMode: q.test_mode,
        page: q.page,
        pageSize: q.page_size,
      });
      return { payments: page.items.map(paymentBody), ...pageFields(page) };
    },
  );

  const filter = (q: {
    project_id?: string;
    test_mode?: boolean;
    status?: string;
    page: number;
    page_size: number;
  }) => ({
    projectId: q.project_id ?? null,
    isTestMode: q.test_mode ?? null,
    status: q.status ?? null,
    page: q.page,
    pageSize: q.page_size,
  });

  app.get(
    '/api/v1/payments/subscriptions',
    {
      config,
      schema: {
        tags,
        summary: 'Subscriptions across your projects',
        headers: DevkitAuthHeaders,
        querystring: AcrossProjectsQuery,
        response: { 200: AggregatedSubscriptionListResponse },
      },
    },
    async (request) => {
      const page = await listAllSubscriptions(ctx, asDeveloper(request), filter(request.query));
      return { subscriptions: page.items.map(aggregatedSubscriptionBody), ...pageFields(page) };
    },
  );

  app.get(
    '/api/v1/payments/transactions',
    {
      config,
      schema: {
        tags,
        summary: 'Payments across your projects',
        headers: DevkitAuthHeaders,
        querystring: AcrossProjectsQuery,
        response: { 200: AggregatedPaymentListResponse },
      },
    },
    async (request) => {
      const page = await listAllPayments(ctx, asDeveloper(request), filter(request.query));
      return { payments: page.items.map(aggregatedPaymentBody), ...pageFields(page) };
    },
  );

  app.get(
    '/api/v1/payments/projects',
    {
      config,
      schema: {
        tags,
        summary: 'Your projects with their payment configuration status',
        headers: DevkitAuthHeaders,
        response: { 200: ProjectPaymentConfigListResponse },
      },
    },
    async (request) => projectsBody(await listPaymentProjects(ctx, asDeveloper(request))),
  );

  app.get(
    '/api/v1/payments/stats',
    {
      config,
      schema: {
        tags,
        summary: 'Payment statistics across your projects',
        headers: DevkitAuthHeaders,
        querystring: TestModeQuery,
        response: { 200: PaymentStatsResponse },
      },
    },
    async (request) => statsBody(await paymentStats(ctx, asDeveloper(request), request.query.test_mode)),
  );
};
