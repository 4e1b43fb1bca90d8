import { Type } from '@sinclair/typebox';
import { deleteStripeConfig } from '../../../core/payments/delete-config.js';
import { getStripeConfig } from '../../../core/payments/get-config.js';
import { putStripeConfig } from '../../../core/payments/put-config.js';
import { validateCredentials } from '../../../core/payments/validate-credentials.js';
import { webhookUrls } from '../../../core/payments/webhook-urls.js';
import { asDeveloper } from '../../auth.js';
import type { Routes } from '../../typed.js';
import { DevkitAuthHeaders, Nullable, ProjectIdParams } from '../schemas.js';
import { StripeConfigResponse } from './schemas.js';
import { configBody } from './wire.js';

const Credential = Type.Optional(Nullable(Type.String({ maxLength: 255 })));
const StripeConfigRequest = Type.Object(
  {
    test_secret_key: Credential,
    test_publishable_key: Credential,
    test_webhook_secret: Credential,
    live_secret_key: Credential,
    live_publishable_key: Credential,
    live_webhook_secret: Credential,
  },
  { additionalProperties: false },
);
const ValidateStripeCredentialsRequest = Type.Object(
  { secret_key: Type.String({ minLength: 1, maxLength: 255 }), is_test_mode: Type.Boolean({ default: true }) },
  { additionalProperties: false },
);

/** Per-project Stripe configuration, for the project's developer. */
export const stripeConfigRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: payments'];
  const config = { auth: 'developer', limit: 'management' } as const;
  const base = '/api/v1/payments/stripe/projects/:project_id';

  app.get(
    `${base}/config`,
    {
      config,
      schema: {
        tags,
        summary: "Get the project's Stripe configuration (masked), or null",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        response: { 200: Nullable(StripeConfigResponse) },
      },
    },
    async (request) => {
      const config = await getStripeConfig(ctx, asDeveloper(request), request.params.project_id);
      return config && configBody(config);
    },
  );

  app.put(
    `${base}/config`,
    {
      config,
      schema: {
        tags,
        summary: "Create or update the project's Stripe configuration (only the credentials given change)",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        body: StripeConfigRequest,
        response: { 200: StripeConfigResponse },
      },
    },
    async (request) =>
      configBody(await putStripeConfig(ctx, asDeveloper(request), request.params.project_id, request.body ?? {})),
  );

  app.delete(
    `${base}/config`,
    {
      config,
      schema: {
        tags,
        summary: "Deactivate the project's Stripe configuration (history is kept)",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
      },
    },
    async (request, reply) => {
      await deleteStripeConfig(ctx, asDeveloper(request), request.params.project_id);
      return reply.code(204).send();
    },
  );

  app.get(
    `${base}/webhook-urls`,
    {
      config,
      schema: {
        tags,
        summary: 'The webhook URLs to give Stripe, built from PUBLIC_URL',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        response: { 200: Type.Object({ test_webhook_url: Type.String(), live_webhook_url: Type.String() }) },
      },
    },
    async (request) => {
      const urls = await webhookUrls(ctx, asDeveloper(request), request.params.project_id);
      return { test_webhook_url: urls.test, live_webhook_url: urls.live };
    },
  );

  app.post(
    `${base}/validate-credentials`,
    {
      config,
      schema: {
        tags,
        summary: 'Ask Stripe whether a secret key works ({valid, message}; a refused key is valid: false)',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        body: ValidateStripeCredentialsRequest,
        response: { 200: Type.Object({ valid: Type.Boolean(), message: Type.String() }) },
      },
    },
    async (request) =>
      validateCredentials(ctx, asDeveloper(request), request.params.project_id, {
        secretKey: request.body.secret_key,
        isTestMode: request.body.is_test_mode,
      }),
  );
};
