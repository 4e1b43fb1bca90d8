import type { App } from '../typed.js';
import type { Context } from '../../context.js';
import { declareFace } from '../pipeline.js';
import { authRoutes } from './auth.js';
import { insightRoutes } from './insights.js';
import { developerKeyRoutes } from './developer-keys.js';
import { apiKeyRoutes } from './api-keys.js';
import { operatorRoutes } from './operator.js';
import { generationRoutes } from './generations.js';
import { generationWebhookRoutes } from './generation-webhook.js';
import { healthRoutes } from './health.js';
import { licensingRoutes } from './licensing.js';
import { projectRoutes } from './projects.js';
import { webhookRoutes } from './webhooks.js';
import { paymentRoutes } from './payments/index.js';
import { serveBothSpellings } from './trailing-slash.js';

/** The Dev Kit for AI Cloud API face (specs/devkit4ai/cloud-api). */
export async function devkitFace(app: App, opts: { ctx: Context }): Promise<void> {
  declareFace(app, 'devkit');
  serveBothSpellings(app);
  for (const routes of [
    healthRoutes,
    authRoutes,
    developerKeyRoutes,
    apiKeyRoutes,
    insightRoutes,
    operatorRoutes,
    projectRoutes,
    licensingRoutes,
    webhookRoutes,
    generationRoutes,
    generationWebhookRoutes,
    paymentRoutes,
  ])
    routes(app, opts.ctx);
}
