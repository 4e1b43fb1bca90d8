import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { listAuditLog } from '../../core/audit/list-audit-log.js';
import { ACTOR_TYPES } from '../../core/audit/record-audit.js';
import { EVENT_TYPES } from '../../core/events/record-event.js';
import { getDelivery } from '../../core/webhooks/get-delivery.js';
import { listDeliveries } from '../../core/webhooks/list-deliveries.js';
import { resendDelivery } from '../../core/webhooks/resend-delivery.js';
import { sendTestEvent } from '../../core/webhooks/send-test-event.js';
import { setWebhook } from '../../core/webhooks/set-webhook.js';
import type { App } from '../typed.js';
import { DeliveryStatus } from '../webhook-schemas.js';
import { developerOf } from './caller.js';
import {
  AttemptSchema,
  AuditEntrySchema,
  DeliverySchema,
  N,
  PageQuery,
  ProjectItemParams,
  ProjectParams,
  ProjectSchema,
  projectBody,
} from './schemas.js';

/** A project's webhook endpoint, its delivery log (attempts, resend, test event), and the developer's audit log. */
export function webhookRoutes(app: App, ctx: Context): void {
  const dev = { auth: 'consoleDeveloper' as const };
  const devWrite = { auth: 'consoleDeveloper' as const, limit: 'management' as const };
  const page = (q: { cursor?: string; perPage?: number }) => ({ cursor: q.cursor ?? null, perPage: q.perPage });

  // The URL and the secret, through the same core call the devkit face's PUT …/webhook makes.
  // The secret goes in and never comes back: the answer says only whether one is set.
  app.put(
    '/console/api/projects/:projectId/webhook',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object(
          { url: N(Type.String({ maxLength: 2048 })), secret: Type.Optional(N(Type.String({ maxLength: 255 }))) },
          { additionalProperties: false },
        ),
        response: { 200: ProjectSchema },
      },
    },
    async (request) => {
      const { url, secret } = request.body;
      return projectBody(
        await setWebhook(ctx, developerOf(request), request.params.projectId, {
          url: url?.trim() || null,
          secret: secret === '' ? undefined : secret,
        }),
      );
    },
  );

  app.get(
    '/console/api/projects/:projectId/webhook-deliveries',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object(
          { ...PageQuery, status: Type.Optional(DeliveryStatus), event: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(DeliverySchema),
            nextCursor: N(Type.String()),
            eventTypes: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request) => {
      const { status, event } = request.query;
      const result = await listDeliveries(
        ctx,
        developerOf(request),
        request.params.projectId,
        { status, event: event?.trim() || undefined },
        page(request.query),
      );
      return { ...result, eventTypes: [...EVENT_TYPES] };
    },
  );

  app.get(
    '/console/api/projects/:projectId/webhook-deliveries/:id',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectItemParams,
        response: { 200: Type.Object({ delivery: DeliverySchema, attempts: Type.Array(AttemptSchema) }) },
      },
    },
    async (request) => {
      const d = await getDelivery(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { delivery: d, attempts: d.attemptLog };
    },
  );

  app.post(
    '/console/api/projects/:projectId/webhook-deliveries/:id/resend',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: DeliverySchema } } },
    async (request) => resendDelivery(ctx, developerOf(request), request.params.projectId, request.params.id),
  );

  app.post(
    '/console/api/projects/:projectId/webhook-test',
    { config: devWrite, schema: { hide: true, params: ProjectParams, response: { 200: DeliverySchema } } },
    async (request) => sendTestEvent(ctx, developerOf(request), request.params.projectId),
  );

  // The audit log: every filter the wire API has (project, action, actor type, since, until), newest first.
  app.get(
    '/console/api/audit-log',
    {
      config: dev,
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            ...PageQuery,
            projectId: Type.Optional(Type.String({ maxLength: 64 })),
            action: Type.Optional(Type.String({ maxLength: 64 })),
            actorType: Type.Optional(Type.Union(ACTOR_TYPES.map((a) => Type.Literal(a)))),
            since: Type.Optional(Type.String({ maxLength: 40 })),
            until: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AuditEntrySchema), nextCursor: N(Type.String()) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const blank = (v: string | undefined) => v?.trim() || undefined;
      return listAuditLog(
        ctx,
        developerOf(request),
        {
          projectId: blank(q.projectId),
          action: blank(q.action),
          actorType: q.actorType,
          since: blank(q.since),
          until: blank(q.until),
        },
        page(q),
      );
    },
  );
}
