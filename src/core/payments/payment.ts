import type { Selectable } from 'kysely';
import type { StripePaymentsTable } from '../../db/schema/stripe.js';
import { toIso } from '../../lib/time.js';

export type PaymentRow = Selectable<StripePaymentsTable>;

/** A payment of an end user (an invoice or a one-time checkout) as the core hands it to the faces. */
export interface Payment {
  id: string;
  projectId: string;
  /** Our subscription's id (not Stripe's), when the payment is for one. */
  subscriptionId: string | null;
  userId: string | null;
  isTestMode: boolean;
  paymentIntentId: string;
  status: string;
  amountCents: number;
  currency: string;
  description: string | null;
  refundedAmountCents: number;
  createdAt: string;
}

export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    projectId: row.project_id,
    subscriptionId: row.subscription_id,
    userId: row.user_id,
    isTestMode: Boolean(row.is_test_mode),
    paymentIntentId: row.payment_intent_id,
    status: row.status,
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    description: row.description,
    refundedAmountCents: Number(row.refunded_amount_cents),
    createdAt: toIso(row.created_at),
  };
}

/** A payment's statuses: `succeeded` is final. */
export const PAYMENT_STATUSES = ['succeeded', 'failed', 'pending'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
