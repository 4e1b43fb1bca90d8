import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ingestStripeWebhook } from '../../../core/payments/ingest-webhook.js';
import { header, originOf } from '../../auth.js';
import type { Routes } from '../../typed.js';

/**
 * Stripe's deliveries. The signature covers the exact bytes sent, so this route (alone, in its
 * own scope) takes the body as raw bytes of any content type instead of parsed JSON.
 */
export const stripeWebhookRoutes: Routes = (app, ctx) => {
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(
      '/api/v1/payments/stripe/webhooks/:project_id/:mode',
      {
        // No credential of ours: Stripe proves itself by the signature, checked on the raw body in the core.
        config: { auth: 'public' },
        schema: {
          tags: ['devkit: payments'],
          summary: 'Stripe webhook endpoint of a project and mode (test | live), verified by its Stripe-Signature',
          params: Type.Object({ project_id: Type.String(), mode: Type.String() }),
          headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String()) }),
          response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }) },
        },
      },
      async (request) => {
        const body = request.body;
        const result = await ingestStripeWebhook(ctx, {
          projectId: request.params.project_id,
          mode: request.params.mode,
          rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
          signature: header(request, 'stripe-signature'),
          origin: originOf(request),
        });
        return { received: true, duplicate: result.duplicate };
      },
    );
  });
};
