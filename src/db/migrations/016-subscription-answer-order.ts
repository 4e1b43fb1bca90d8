import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * `stripe_subscriptions.state_from_answer`: whether the state a subscription holds is Stripe's
 * answer to one of our own calls (a change of plan, a cancellation) rather than an event.
 * `state_event_at` has one-second resolution, and an event of the state before our change is
 * often stamped with the change's own second; such an answer is the newest word of its second,
 * so an event of that second no longer undoes it. Rows written before were all events (false).
 */
export const subscriptionAnswerOrder: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .alterTable('stripe_subscriptions')
      .addColumn('state_from_answer', t.boolean, (c) =>
        c.notNull().defaultTo(t.dialect === 'postgres' ? sql`false` : sql`0`),
      )
      .execute();
  },
};
