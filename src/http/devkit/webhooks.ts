import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { listAuditLog } from '../../core/audit/list-audit-log.js';
import { MAX_PER_PAGE } from '../../core/licenses/cursor-page.js';
import { getDelivery } from '../../core/webhooks/get-delivery.js';
import { listDeliveries } from '../../core/webhooks/list-deliveries.js';
import { resendDelivery } from '../../core/webhooks/resend-delivery.js';
import { sendTestEvent } from '../../core/webhooks/send-test-event.js';
import { setWebhook } from '../../core/webhooks/set-webhook.js';
import { webhookWarning } from '../../core/webhooks/webhook-endpoint.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import {
  AuditEntryObject,
  AuditQuery,
  auditBody,
  DeliveryObject,
  DeliveryQuery,
  DeliveryWithAttempts,
  deliveryBody,
  deliveryWithAttemptsBody,
} from '../webhook-schemas.js';
import { DevkitAuthHeaders, Nullable } from './schemas.js';

const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 20 })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
};
const pageOf = (q: { limit?: number; cursor?: string }) => ({ perPage: q.limit, cursor: q.cursor ?? null });

const WebhookBody = Type.Object(
  {
    url: Nullable(
      Type.String({
        maxLength: 2048,
        description: "http(s) URL receiving the project's events; null stops deliveries",
      }),
    ),
    secret: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 255,
          description: 'Signs deliveries (Standard Webhooks); stored encrypted, never returned',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
const WebhookSettings = Type.Object({
  url: Nullable(Type.String()),
  has_secret: Type.Boolean(),
  webhook_warning: Nullable(Type.String()),
});

/** Webhook settings, deliveries, resend and test of one project, and the developer's audit log, for developer credentials. */
export const webhookRoutes: Routes = (app, ctx) => {
  const config = { auth: 'developer', limit: 'management' } as const;
  const s = <S extends FastifySchema>(tags: string[], summary: string, rest: S) => ({
    config,
    schema: { tags, summary, headers: DevkitAuthHeaders, ...rest },
  });
  const webhooks = ['tollgate: webhooks'];
  const P = Type.Object({ project_id: Type.String() });
  const PD = Type.Object({ project_id: Type.String(), delivery_id: Type.String() });
  const base = '/api/v1/projects/:project_id';
  // This face calls the project's webhook_url `url`.
  const settings = { config: { ...config, fieldNames: { webhook_url: 'url' } } };

  app.put(
    `${base}/webhook`,
    {
      ...s(webhooks, 'Set the webhook URL and secret', {
        params: P,
        body: WebhookBody,
        response: { 200: WebhookSettings },
      }),
      ...settings,
    },
    async (req) => {
      const p = await setWebhook(ctx, asDeveloper(req), req.params.project_id, {
        url: req.body.url,
        secret: req.body.secret,
      });
      return { url: p.webhookUrl, has_secret: p.hasWebhookSecret, webhook_warning: webhookWarning(p) };
    },
  );

  app.get(
    `${base}/webhook-deliveries`,
    s(webhooks, 'List webhook deliveries (newest first)', {
      params: P,
      querystring: Type.Object({ ...PageQuery, ...DeliveryQuery }),
      response: { 200: Type.Object({ deliveries: Type.Array(DeliveryObject), next_cursor: Nullable(Type.String()) }) },
    }),
    async (req) => {
      const page = await listDeliveries(
        ctx,
        asDeveloper(req),
        req.params.project_id,
        { status: req.query.status, event: req.query.event },
        pageOf(req.query),
      );
      return { deliveries: page.items.map(deliveryBody), next_cursor: page.nextCursor };
    },
  );

  app.get(
    `${base}/webhook-deliveries/:delivery_id`,
    s(webhooks, 'Show a delivery with its logged attempts', { params: PD, response: { 200: DeliveryWithAttempts } }),
    async (req) =>
      deliveryWithAttemptsBody(await getDelivery(ctx, asDeveloper(req), req.params.project_id, req.params.delivery_id)),
  );

  app.post(
    `${base}/webhook-deliveries/:delivery_id/resend`,
    s(webhooks, 'Send the same event again now (same webhook-id)', { params: PD, response: { 200: DeliveryObject } }),
    async (req) =>
      deliveryBody(await resendDelivery(ctx, asDeveloper(req), req.params.project_id, req.params.delivery_id)),
  );

  app.post(
    `${base}/webhook-test`,
    {
      ...s(webhooks, 'Record and send a webhook.test event', { params: P, response: { 200: DeliveryObject } }),
      ...settings,
    },
    async (req) => deliveryBody(await sendTestEvent(ctx, asDeveloper(req), req.params.project_id)),
  );

  app.get(
    '/api/v1/audit-log',
    s(['tollgate: audit'], 'Your audit log (newest first)', {
      querystring: Type.Object({ ...PageQuery, ...AuditQuery, project_id: Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ entries: Type.Array(AuditEntryObject), next_cursor: Nullable(Type.String()) }) },
    }),
    async (req) => {
      const q = req.query;
      const page = await listAuditLog(
        ctx,
        asDeveloper(req),
        { projectId: q.project_id, action: q.action, actorType: q.actor_type, since: q.since, until: q.until },
        pageOf(q),
      );
      return { entries: page.items.map(auditBody), next_cursor: page.nextCursor };
    },
  );
};
