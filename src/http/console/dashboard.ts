import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { developerDashboard } from '../../core/stats/dashboard.js';
import { N } from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev } from './caller.js';

/** The developer dashboard in one call (core/stats/dashboard.ts). */
export function dashboardRoutes(app: App, ctx: Context): void {
  // The dashboard in one call (core/stats/dashboard.ts): counts, quota, the 14-day series, instance health.
  app.get(
    '/console/api/dashboard',
    {
      config: dev,
      schema: {
        hide: true,
        response: {
          200: Type.Object({
            tier: Type.Object({
              name: Type.String(),
              label: Type.String(),
              maxProjects: N(Type.Integer()),
              maxApiKeysPerProject: N(Type.Integer()),
            }),
            counts: Type.Object({
              projects: Type.Integer(),
              apiKeys: Type.Integer(),
              endUsers: Type.Integer(),
              licenses: Type.Integer(),
              activeDomains: Type.Integer(),
              injectables: Type.Integer(),
              activeSubscriptions: Type.Integer(),
            }),
            generations: Type.Object({ month: Type.String(), used: Type.Integer(), limit: N(Type.Integer()) }),
            chart: Type.Array(Type.Object({ day: Type.String(), checks: Type.Integer(), generations: Type.Integer() })),
            health: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request) => developerDashboard(ctx, developerOf(request)),
  );
}
