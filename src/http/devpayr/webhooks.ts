import { Type } from '@sinclair/typebox';
import { listAuditLog } from '../../core/audit/list-audit-log.js';
import { getDelivery } from '../../core/webhooks/get-delivery.js';
import { listDeliveries } from '../../core/webhooks/list-deliveries.js';
import { resendDelivery } from '../../core/webhooks/resend-delivery.js';
import { sendTestEvent } from '../../core/webhooks/send-test-event.js';
import { asApiCaller } from '../auth.js';
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
import { ApiKeyHeaders, ListEnvelope, ListQuery, ok, pageRequest, SuccessEnvelope } from './envelope.js';

/** Webhook deliveries, resend, test event and the audit log of one project, for an X-API-KEY of (or scoped to) it. */
export const devpayrWebhookRoutes: Routes = (app, ctx) => {
  const config = { auth: 'apiKey', limit: 'management' } as const;
  const webhooks = ['tollgate: webhooks'];
  const P = Type.Object({ project: Type.String() });
  const PD = Type.Object({ project: Type.String(), delivery: Type.String() });
  const base = '/api/v1/project/:project';

  app.get(
    `${base}/webhook-deliveries`,
    {
      config,
      schema: {
        tags: webhooks,
        summary: 'List webhook deliveries (newest first)',
        headers: ApiKeyHeaders,
        params: P,
        querystring: Type.Object({ ...ListQuery.properties, ...DeliveryQuery }),
        response: { 200: ListEnvelope(DeliveryObject) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listDeliveries(
        ctx,
        asApiCaller(request),
        request.params.project,
        { status: q.status, event: q.event },
        pageRequest(q),
      );
      return ok('Webhook deliveries retrieved.', { data: page.items.map(deliveryBody), next_cursor: page.nextCursor });
    },
  );

  app.get(
    `${base}/webhook-deliveries/:delivery`,
    {
      config,
      schema: {
        tags: webhooks,
        summary: 'Show a delivery with its logged attempts',
        headers: ApiKeyHeaders,
        params: PD,
        response: { 200: SuccessEnvelope(DeliveryWithAttempts) },
      },
    },
    async (request) =>
      ok(
        'Webhook delivery retrieved.',
        deliveryWithAttemptsBody(
          await getDelivery(ctx, asApiCaller(request), request.params.project, request.params.delivery),
        ),
      ),
  );

  app.post(
    `${base}/webhook-deliveries/:delivery/resend`,
    {
      config,
      schema: {
        tags: webhooks,
        summary: 'Send the same event again now (same webhook-id)',
        headers: ApiKeyHeaders,
        params: PD,
        response: { 200: SuccessEnvelope(DeliveryObject) },
      },
    },
    async (request) =>
      ok(
        'Webhook delivery queued.',
        deliveryBody(await resendDelivery(ctx, asApiCaller(request), request.params.project, request.params.delivery)),
      ),
  );

  app.post(
    `${base}/webhook-test`,
    {
      config,
      schema: {
        tags: webhooks,
        summary: 'Record and send a webhook.test event',
        headers: ApiKeyHeaders,
        params: P,
        response: { 200: SuccessEnvelope(DeliveryObject) },
      },
    },
    async (request) =>
      ok('Test event queued.', deliveryBody(await sendTestEvent(ctx, asApiCaller(request), request.params.project))),
  );

  app.get(
    `${base}/audit-log`,
    {
      config,
      schema: {
        tags: ['tollgate: audit'],
        summary: "The project's audit log (newest first)",
        headers: ApiKeyHeaders,
        params: P,
        querystring: Type.Object({ ...ListQuery.properties, ...AuditQuery }),
        response: { 200: ListEnvelope(AuditEntryObject) },
      },
    },
    async (request) => {
      const q = request.query;
      const filter = {
        projectId: request.params.project,
        action: q.action,
        actorType: q.actor_type,
        since: q.since,
        until: q.until,
      };
      const page = await listAuditLog(ctx, asApiCaller(request), filter, pageRequest(q));
      return ok('Audit log retrieved.', { data: page.items.map(auditBody), next_cursor: page.nextCursor });
    },
  );
};
