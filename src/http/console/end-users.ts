import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { getEndUser } from '../../core/end-users/get-end-user.js';
import { listEndUsers } from '../../core/end-users/list-users.js';
import { registrationTrend } from '../../core/end-users/registration-trend.js';
import type { App } from '../typed.js';
import { developerOf } from './caller.js';
import { IdParams, N } from './schemas.js';

const EndUserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  fullName: N(Type.String()),
  isActive: Type.Boolean(),
  createdAt: Type.String(),
  projectId: Type.String(),
  projectName: Type.String(),
});

const SubscriptionState = N(
  Type.Object({
    status: Type.String(),
    planName: N(Type.String()),
    currentPeriodEnd: N(Type.String()),
    cancelAt: N(Type.String()),
    createdAt: Type.String(),
  }),
);

/** End users across the developer's projects (page 8 of the console): the list, one user's details, the registration trend. */
export function endUserRoutes(app: App, ctx: Context): void {
  const dev = { auth: 'consoleDeveloper' as const };

  app.get(
    '/console/api/end-users',
    {
      config: dev,
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
            search: Type.Optional(Type.String({ maxLength: 100 })),
            projectId: Type.Optional(Type.String({ maxLength: 64 })),
            isActive: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(EndUserSchema),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const page = request.query.page ?? 1;
      const r = await listEndUsers(ctx, developerOf(request), {
        page,
        pageSize: 20,
        search: request.query.search?.trim() || null,
        projectId: request.query.projectId || null,
        isActive: request.query.isActive ?? null,
      });
      return { items: r.users, total: r.total, page, pageSize: 20 };
    },
  );

  // The chart's data in one call: registrations per UTC day, zero-filled.
  app.get(
    '/console/api/end-users/trend',
    {
      config: dev,
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 7, maximum: 365 })),
            projectId: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            days: Type.Array(Type.Object({ day: Type.String(), count: Type.Integer() })),
            total: Type.Integer(),
          }),
        },
      },
    },
    async (request) =>
      registrationTrend(ctx, developerOf(request), {
        days: request.query.days ?? 30,
        projectId: request.query.projectId || null,
      }),
  );

  app.get(
    '/console/api/end-users/:id',
    {
      config: dev,
      schema: {
        hide: true,
        params: IdParams,
        response: {
          200: Type.Object({
            user: Type.Composite([
              EndUserSchema,
              Type.Object({ updatedAt: N(Type.String()), emailVerifiedAt: N(Type.String()) }),
            ]),
            generations: Type.Object({
              total: Type.Integer(),
              pending: Type.Integer(),
              processing: Type.Integer(),
              completed: Type.Integer(),
              failed: Type.Integer(),
            }),
            subscriptions: Type.Object({ test: SubscriptionState, live: SubscriptionState }),
            payments: Type.Object({
              total: Type.Integer(),
              recent: Type.Array(
                Type.Object({
                  id: Type.String(),
                  isTestMode: Type.Boolean(),
                  status: Type.String(),
                  amountCents: Type.Integer(),
                  currency: Type.String(),
                  createdAt: Type.String(),
                }),
              ),
            }),
          }),
        },
      },
    },
    async (request) => {
      const d = await getEndUser(ctx, developerOf(request), request.params.id);
      const sub = (s: (typeof d.subscriptions)['test']) =>
        s && {
          status: s.status,
          planName: s.planName,
          currentPeriodEnd: s.currentPeriodEnd,
          cancelAt: s.cancelAt,
          createdAt: s.createdAt,
        };
      return {
        user: d.user,
        generations: d.generations,
        subscriptions: { test: sub(d.subscriptions.test), live: sub(d.subscriptions.live) },
        payments: {
          total: d.payments.total,
          recent: d.payments.recent.map((t) => ({
            id: t.id,
            isTestMode: t.isTestMode,
            status: t.status,
            amountCents: t.amountCents,
            currency: t.currency,
            createdAt: t.createdAt,
          })),
        },
      };
    },
  );
}
