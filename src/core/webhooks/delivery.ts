import type { Selectable } from 'kysely';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  DeliveryStatus,
} from '../../db/schema/webhook-deliveries.js';
import { toIso } from '../../lib/time.js';

export const DELIVERY_STATUSES = [
  'pending',
  'delivered',
  'retrying',
  'failed',
] as const satisfies readonly DeliveryStatus[];

/** A delivery as the faces show it; the endpoint's sealed secret is not part of it. */
export interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface Attempt {
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

export function toDelivery(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    event: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: toIso(row.next_attempt_at),
    deliveredAt: toIso(row.delivered_at),
    createdAt: toIso(row.created_at),
  };
}

export function toAttempt(row: Selectable<WebhookAttemptsTable>): Attempt {
  return {
    attemptedAt: toIso(row.attempted_at),
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    responseBody: row.response_body,
    error: row.error,
  };
}
