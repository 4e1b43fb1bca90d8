import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_IMAGE_BYTES } from '../../core/generations/generation.js';
import {
  receiveProviderCallback,
  screenProviderCallback,
  type CallbackHeaders,
} from '../../core/generations/provider-callbacks.js';
import { header } from '../auth.js';
import type { Routes } from '../typed.js';

/**
 * Replicate's webhook for a generation's prediction (used when PUBLIC_URL is set). No
 * credential of ours: Replicate proves itself by the Standard Webhooks signature over the
 * exact bytes sent, so this route (alone, in its own scope) takes the body as raw bytes. The
 * prediction Replicate sends carries its input, our example image as a data URI among it,
 * hence the body limit of twice the largest image; and hence the screening before the body is
 * read (onRequest): a callback whose headers are missing or stale is refused, and one about a
 * generation that is not being processed is acknowledged, without reading up to 20 MB from
 * whoever sent it.
 */
function signatureHeaders(request: FastifyRequest): CallbackHeaders {
  return {
    id: header(request, 'webhook-id'),
    timestamp: header(request, 'webhook-timestamp'),
    signature: header(request, 'webhook-signature'),
  };
}

export const generationWebhookRoutes: Routes = (app, ctx) => {
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 2 * MAX_IMAGE_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(
      '/api/v1/generation/replicate-webhook/:generation_id',
      {
        config: { auth: 'public' },
        onRequest: async (request, reply) => {
          // An answer given before the body is read closes the connection, so the rest is never read.
          reply.header('connection', 'close');
          if (
            (await screenProviderCallback(
              ctx,
              (request.params as { generation_id: string }).generation_id,
              signatureHeaders(request),
            )) === 'acknowledge'
          ) {
            return reply.send({ received: true });
          }
          reply.removeHeader('connection');
        },
        schema: {
          tags: ['devkit: generation'],
          summary:
            "Replicate's webhook for a generation's prediction, verified by its webhook-signature (only with PUBLIC_URL and GENERATION_PROVIDER=replicate)",
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
          ...signatureHeaders(request),
          rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        });
        return { received: true };
      },
    );
  });
};
