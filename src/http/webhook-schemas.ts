import { Type } from '@sinclair/typebox';
import type { AuditRecord } from '../core/audit/list-audit-log.js';
import type { Attempt, Delivery } from '../core/webhooks/delivery.js';
import { DELIVERY_STATUSES } from '../core/webhooks/delivery.js';
import { Nullable } from './schemas.js';

/* Webhook deliveries and audit entries look the same on both faces (issue 12 gives one shape). */

export const DeliveryStatus = Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)));

export const DeliveryObject = Type.Object({
  id: Type.String(),
  event_id: Type.String({ description: 'The webhook-id header of every attempt' }),
  event: Type.String(),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
});

export const AttemptObject = Type.Object({
  attempted_at: Type.String({ format: 'date-time' }),
  status_code: Nullable(Type.Integer()),
  duration_ms: Type.Integer(),
  response_body: Nullable(Type.String({ description: 'The first KB of the answer' })),
  error: Nullable(Type.String()),
});

export const DeliveryWithAttempts = Type.Composite([
  Type.Omit(DeliveryObject, ['attempts']),
  Type.Object({ attempts: Type.Array(AttemptObject) }),
]);

export function deliveryBody(d: Delivery) {
  return {
    id: d.id,
    event_id: d.eventId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt,
    delivered_at: d.deliveredAt,
    created_at: d.createdAt,
  };
}

const attemptBody = (a: Attempt) => ({
  attempted_at: a.attemptedAt,
  status_code: a.statusCode,
  duration_ms: a.durationMs,
  response_body: a.responseBody,
  error: a.error,
});

export function deliveryWithAttemptsBody(d: Delivery & { attemptLog: Attempt[] }) {
  return { ...deliveryBody(d), attempts: d.attemptLog.map(attemptBody) };
}

export const DeliveryQuery = {
  status: Type.Optional(DeliveryStatus),
  event: Type.Optional(Type.String({ maxLength: 64, description: 'An event type, e.g. license.revoked' })),
};

export const AuditEntryObject = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  actor_type: Type.String({ description: 'operator | developer | developer_key | project_key | end_user | system' }),
  actor_id: Nullable(Type.String()),
  key_prefix: Nullable(Type.String()),
  action: Type.String(),
  target_type: Type.String(),
  target_id: Nullable(Type.String()),
  project_id: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  request_id: Nullable(Type.String({ description: 'The x-request-id the change was answered with' })),
  changed_fields: Type.Array(Type.String(), { description: 'Names only; never values' }),
});

export function auditBody(e: AuditRecord) {
  return {
    id: e.id,
    created_at: e.createdAt,
    actor_type: e.actorType,
    actor_id: e.actorId,
    key_prefix: e.keyPrefix,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    project_id: e.projectId,
    ip: e.ip,
    request_id: e.requestId,
    changed_fields: e.changedFields,
  };
}

export const AuditQuery = {
  action: Type.Optional(Type.String({ maxLength: 64 })),
  actor_type: Type.Optional(Type.String({ maxLength: 32 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601 date-time, inclusive' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601 date-time, inclusive' })),
};
