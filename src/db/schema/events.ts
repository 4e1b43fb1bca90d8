import type { NullableTimestamp, Timestamp } from './types.js';

/** Durable outbox of domain events, written in the transaction of the change (webhooks read it). */
export interface EventsTable {
  id: string;
  owner_id: string;
  project_id: string | null;
  type: string;
  /** JSON object text. */
  payload: string;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}
