import type { Routes } from '../../typed.js';
import { stripeConfigRoutes } from './config.js';
import { paymentEndUserRoutes } from './end-user.js';
import { paymentOverviewRoutes } from './overview.js';
import { stripeWebhookRoutes } from './webhook.js';

/** The eighteen /api/v1/payments/* operations (issue 11). */
export const paymentRoutes: Routes = (app, ctx) => {
  for (const routes of [stripeConfigRoutes, paymentOverviewRoutes, paymentEndUserRoutes, stripeWebhookRoutes])
    routes(app, ctx);
};
