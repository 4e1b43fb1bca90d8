import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_IMAGE_BYTES } from '../../core/generations/generation.js';
import { receiveProviderCallback } from '../../core/generations/provider-callbacks.js';
import { header } from '../auth.js';
import type { Routes } from '../typed.js';

/**
 * Replicate's webhook for a generation's prediction (used when PUBLIC_URL is set). No
 * credential of ours: Replicate proves itself by the Standard Webhooks signature over the
 * exact bytes sent, so this route (alone, in its own scope) takes the body as raw bytes. The
 * prediction Replicate sends carries its input, our example image as a data URI among it,
 * hence the body limit of twice the largest image.
 */
export const generationWebhookRoutes: Routes = (app, ctx) => {
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 2 * MAX_IMAGE_BYTES }, (_request, body, done) => done(null, body));
    scope.post(
      '/api/v1/generation/replicate-webhook/:generation_id',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['devkit: generation'],
          summary: "Replicate's webhook for a generation's prediction, verified by its webhook-signature (only with PUBLIC_URL and GENERATION_PROVIDER=replicate)",
          params: Type.Object({ generation_id: Type.String() }),
          headers: Type.Object({
            'webhook-id': Type.Optional(Type.String()),
            'webhook-timestamp': Type.Optional(Type.String()),
            'webhook-signature': Type.Optional(Type.String()),
          }),
          response: { 200: Type.Object({ received: Type.Boolean() }) },
        },
      },
      async (request) => {
        const body = request.body;
        await receiveProviderCallback(ctx, request.params.generation_id, {
          id: header(request, 'webhook-id'),
          timestamp: header(request, 'webhook-timestamp'),
          signature: header(request, 'webhook-signature'),
          rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        });
        return { received: true };
      },
    );
  });
};
