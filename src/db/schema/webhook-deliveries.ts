import type { Generated } from 'kysely';
import type { NullableTimestamp, Timestamp } from './types.js';

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

/** One event to one endpoint; written in the event's transaction, claimed by a worker with a lease. */
export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  owner_id: string;
  project_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  /** The process holding the delivery while it makes an attempt, until lease_until. */
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
  url: string;
  /** sealSecret() output; never leaves the server. */
  secret_enc: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempted_at: Timestamp;
  status_code: number | null;
  duration_ms: number;
  /** The first KB of the answer. */
  response_body: string | null;
  error: string | null;
}
