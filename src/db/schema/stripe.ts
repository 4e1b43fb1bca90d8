import type { ColumnType } from 'kysely';
import type { Bool, NullableTimestamp, Timestamp } from './types.js';

/** PostgreSQL bigint arrives as a number (see database.ts), SQLite integer too. */
type Int64 = ColumnType<number | string, number, number>;

export interface StripeConfigsTable {
  id: string;
  project_id: string;
  is_active: Bool;
  /** sealSecret() output; never leaves the server. The `_mask` beside it is what the wire shows. */
  test_secret_key_enc: string | null;
  test_secret_key_mask: string | null;
  test_publishable_key_enc: string | null;
  test_publishable_key_mask: string | null;
  test_webhook_secret_enc: string | null;
  test_webhook_secret_mask: string | null;
  live_secret_key_enc: string | null;
  live_secret_key_mask: string | null;
  live_publishable_key_enc: string | null;
  live_publishable_key_mask: string | null;
  live_webhook_secret_enc: string | null;
  live_webhook_secret_mask: string | null;
  test_configured_at: NullableTimestamp;
  live_configured_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}

export interface StripeCustomersTable {
  id: string;
  project_id: string;
  user_id: string;
  is_test_mode: Bool;
  customer_id: string;
  created_at: Timestamp;
}

export interface StripeSubscriptionsTable {
  id: string;
  project_id: string;
  user_id: string | null;
  is_test_mode: Bool;
  subscription_id: string;
  customer_id: string | null;
  status: string;
  price_id: string | null;
  plan_name: string | null;
  quantity: number;
  current_period_start: NullableTimestamp;
  current_period_end: NullableTimestamp;
  cancel_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  /** The second (unix, Stripe's clock) of the state this row holds: its event's `created`, or when Stripe answered our call. */
  state_event_at: Int64 | null;
  /** The state is Stripe's answer to our own call, which is newer than any event stamped with the same second. */
  state_from_answer: Bool;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}

export interface StripePaymentsTable {
  id: string;
  project_id: string;
  /** Our stripe_subscriptions.id, not Stripe's. */
  subscription_id: string | null;
  user_id: string | null;
  is_test_mode: Bool;
  /** What the payment is for on Stripe's side (an invoice or a checkout session id); one row each. */
  source_id: string;
  payment_intent_id: string;
  status: string;
  amount_cents: Int64;
  currency: string;
  description: string | null;
  refunded_amount_cents: Int64;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}

export interface StripeEventsTable {
  project_id: string;
  event_id: string;
  is_test_mode: Bool;
  type: string;
  received_at: Timestamp;
}
