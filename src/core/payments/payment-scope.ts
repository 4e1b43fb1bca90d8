import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';

/** Where a Stripe fact lands: one project in one mode; its owner is who our webhooks tell. */
export interface PaymentScope {
  projectId: string;
  ownerId: string;
  isTestMode: boolean;
}

export type Trx = Transaction<Database>;
