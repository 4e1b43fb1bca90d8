import type { FastifyReply, FastifyRequest } from 'fastify';
import { listAllPayments, listAllSubscriptions, listPaymentProjects, paymentStats } from '../../../core/payments/developer-overview.js';
import { listProjectPayments, listProjectSubscriptions } from '../../../core/payments/list-payments.js';
import { requireDeveloper } from '../../auth.js';
import { applyRateLimit } from '../../rate-limit.js';
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

/** What the developer sees of their end users' payments: per project, across projects, and in sum. */
export const paymentOverviewRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: payments'];
  const developer = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = await requireDeveloper(ctx, request);
    await applyRateLimit(ctx, reply, 'management', principal.userId, principal.tier);
    return principal;
  };

  app.get(
    '/api/v1/payments/stripe/projects/:project_id/subscriptions',
    {
      schema: { tags, summary: 'A project\'s subscriptions', headers: DevkitAuthHeaders, params: ProjectIdParams, querystring: PagedTestModeQuery, response: { 200: StripeSubscriptionListResponse } },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await listProjectSubscriptions(ctx, await developer(request, reply), request.params.project_id, { isTestMode: q.test_mode, page: q.page, pageSize: q.page_size });
      return { subscriptions: page.items, total: page.total, page: page.page, page_size: page.page_size };
    },
  );

  app.get(
    '/api/v1/payments/stripe/projects/:project_id/payments',
    {
      schema: { tags, summary: 'A project\'s payments', headers: DevkitAuthHeaders, params: ProjectIdParams, querystring: PagedTestModeQuery, response: { 200: StripePaymentListResponse } },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await listProjectPayments(ctx, await developer(request, reply), request.params.project_id, { isTestMode: q.test_mode, page: q.page, pageSize: q.page_size });
      return { payments: page.items, total: page.total, page: page.page, page_size: page.page_size };
    },
  );

  const filter = (q: { project_id?: string; test_mode?: boolean; status?: string; page: number; page_size: number }) => ({
    projectId: q.project_id ?? null,
    isTestMode: q.test_mode ?? null,
    status: q.status ?? null,
    page: q.page,
    pageSize: q.page_size,
  });

  app.get(
    '/api/v1/payments/subscriptions',
    { schema: { tags, summary: 'Subscriptions across your projects', headers: DevkitAuthHeaders, querystring: AcrossProjectsQuery, response: { 200: AggregatedSubscriptionListResponse } } },
    async (request, reply) => {
      const page = await listAllSubscriptions(ctx, await developer(request, reply), filter(request.query));
      return { subscriptions: page.items, total: page.total, page: page.page, page_size: page.page_size };
    },
  );

  app.get(
    '/api/v1/payments/transactions',
    { schema: { tags, summary: 'Payments across your projects', headers: DevkitAuthHeaders, querystring: AcrossProjectsQuery, response: { 200: AggregatedPaymentListResponse } } },
    async (request, reply) => {
      const page = await listAllPayments(ctx, await developer(request, reply), filter(request.query));
      return { payments: page.items, total: page.total, page: page.page, page_size: page.page_size };
    },
  );

  app.get(
    '/api/v1/payments/projects',
    { schema: { tags, summary: 'Your projects with their payment configuration status', headers: DevkitAuthHeaders, response: { 200: ProjectPaymentConfigListResponse } } },
    async (request, reply) => listPaymentProjects(ctx, await developer(request, reply)),
  );

  app.get(
    '/api/v1/payments/stats',
    { schema: { tags, summary: 'Payment statistics across your projects', headers: DevkitAuthHeaders, querystring: TestModeQuery, response: { 200: PaymentStatsResponse } } },
    async (request, reply) => paymentStats(ctx, await developer(request, reply), request.query.test_mode),
  );
};
