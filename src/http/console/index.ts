import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { Unauthenticated } from '../../core/errors.js';
import { asDeveloper, type Developer } from '../auth.js';
import type { App } from '../typed.js';
import { accountRoutes } from './account.js';
import { endUserRoutes } from './end-users.js';
import { consoleError, sendConsoleError } from './errors.js';
import { generationRoutes } from './generations.js';
import { operatorRoutes } from './operator.js';
import { paymentRoutes } from './payments.js';
import { projectRoutes } from './projects.js';
import { rerollRoutes } from './rerolls.js';
import { securityHeaders } from './security.js';
import { staticRoutes } from './static.js';
import { webhookRoutes } from './webhooks.js';
import type { ConsoleSession } from './sessions.js';

/** The session of a route declared with a console credential (the credential has refused everyone else). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw Unauthenticated('not_signed_in', 'Please sign in.');
  return request.consoleSession;
}
/** Console routes declared `consoleDeveloper`: the developer principal the credential resolved. */
export const developerOf = (request: FastifyRequest): Developer => asDeveloper(request);

/**
 * The console: the single-page app at /console and its JSON API at /console/api (a third face
 * beside devkit and devpayr, calling the same core). Only here is the session cookie read.
 */
export async function consoleFace(app: App, opts: { ctx: Context }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler((err, request, reply) => sendConsoleError(err, request, reply));
  app.decorateRequest('consoleSession', null);

  // Credentials are resolved by the pipeline's hook (the console* entries of http/auth.ts); this
  // one only sets the headers every console answer carries.
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(reply);
    if (request.url.startsWith('/console/api/')) reply.header('cache-control', 'no-store');
    done();
  });

  accountRoutes(app, ctx);
  projectRoutes(app, ctx);
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
