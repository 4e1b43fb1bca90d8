import type { Context } from '../../context.js';
import { declareFace } from '../pipeline.js';
import type { App } from '../typed.js';
import { accountRoutes } from './account.js';
import { endUserRoutes } from './end-users.js';
import { consoleError } from './errors.js';
import { generationRoutes } from './generations.js';
import { operatorRoutes } from './operator.js';
import { paymentRoutes } from './payments.js';
import { dashboardRoutes } from './dashboard.js';
import { domainRoutes } from './domains.js';
import { injectableRoutes } from './injectables.js';
import { licenseRoutes } from './licenses.js';
import { projectKeyRoutes } from './project-keys.js';
import { projectRoutes } from './projects.js';
import { rerollRoutes } from './rerolls.js';
import { securityHeaders } from './security.js';
import { staticRoutes } from './static.js';
import { webhookRoutes } from './webhooks.js';

/**
 * The console: the single-page app at /console and its JSON API at /console/api (a third face
 * beside devkit and devpayr, calling the same core). Only here is the session cookie read.
 */
export async function consoleFace(app: App, opts: { ctx: Context }): Promise<void> {
  const { ctx } = opts;
  // Its routes' errors are answered by the pipeline's handler in the console's format (errors.ts).
  declareFace(app, 'console');
  app.decorateRequest('consoleSession', null);

  // Credentials are resolved by the pipeline's hook (the console* entries of http/auth.ts); this
  // one only sets the headers every console answer carries.
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(reply);
    if (request.url.startsWith('/console/api/')) reply.header('cache-control', 'no-store');
    done();
  });

  accountRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  projectRoutes(app, ctx);
  projectKeyRoutes(app, ctx);
  licenseRoutes(app, ctx);
  domainRoutes(app, ctx);
  injectableRoutes(app, ctx);
  rerollRoutes(app, ctx);
  generationRoutes(app, ctx);
  paymentRoutes(app, ctx);
  endUserRoutes(app, ctx);
  operatorRoutes(app, ctx);
  webhookRoutes(app, ctx);

  app.all('/console/api/*', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.code(404).send(consoleError('not_found', 'No such console API route.')),
  );
  staticRoutes(app);
}
