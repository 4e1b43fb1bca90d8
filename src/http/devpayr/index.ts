import type { App } from '../typed.js';
import type { Context } from '../../context.js';
import { domainRoutes } from './domains.js';
import { installDevpayrErrors } from './errors.js';
import { injectableRoutes } from './injectables.js';
import { ApiKeyHeaders, licenseRoutes } from './licenses.js';
import { devpayrProjectRoutes } from './projects.js';
import { runtimeRoutes } from './runtime.js';

/** The DevPayr API face (specs/devpayr.md). */
export async function devpayrFace(app: App, opts: { ctx: Context }): Promise<void> {
  installDevpayrErrors(app);
  // A route that takes X-API-KEY is documented as needing it (OpenAPI security).
  app.addHook('onRoute', (route) => {
    if (route.schema && route.schema.headers === ApiKeyHeaders) route.schema.security ??= [{ apiKey: [] }];
  });
  // A body-less POST from the PHP client arrives as `[]`: the same as no body.
  app.addHook('preValidation', async (request) => {
    if (Array.isArray(request.body) && request.body.length === 0) request.body = undefined;
  });
  for (const routes of [runtimeRoutes, devpayrProjectRoutes, licenseRoutes, domainRoutes, injectableRoutes] as Array<(app: App, ctx: Context) => void>) routes(app, opts.ctx);
}
