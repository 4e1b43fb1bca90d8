import type { App } from '../typed.js';
import type { Context } from '../../context.js';
import { declareFace } from '../pipeline.js';
import { deviceRoutes } from './devices.js';
import { domainRoutes } from './domains.js';
import { injectableRoutes } from './injectables.js';
import { licenseRoutes } from './licenses.js';
import { devpayrProjectRoutes } from './projects.js';
import { runtimeRoutes } from './runtime.js';
import { signedAnswers } from './signed-answers.js';
import { signingKeyRoutes } from './signing-keys.js';
import { licenseCheckoutRoutes } from './license-checkout.js';
import { devpayrWebhookRoutes } from './webhooks.js';

/** The DevPayr API face (specs/devpayr.md). */
export async function devpayrFace(app: App, opts: { ctx: Context }): Promise<void> {
  declareFace(app, 'devpayr');
  signedAnswers(app, opts.ctx);
  // A body-less write from the PHP client arrives as `[]`, from others as nothing: both read as `{}`.
  app.addHook('preValidation', (request, _reply, done) => {
    const b = request.body;
    if (b === undefined ? request.method !== 'GET' && request.method !== 'DELETE' : Array.isArray(b) && b.length === 0)
      request.body = {};
    done();
  });
  for (const routes of [
    runtimeRoutes,
    devpayrProjectRoutes,
    licenseRoutes,
    domainRoutes,
    injectableRoutes,
    devpayrWebhookRoutes,
    signingKeyRoutes,
    licenseCheckoutRoutes,
    deviceRoutes,
  ] as Array<(app: App, ctx: Context) => void>)
    routes(app, opts.ctx);
}
