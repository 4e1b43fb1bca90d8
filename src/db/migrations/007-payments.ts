import type { TollgateMigration } from './types.js';

/**
 * Stripe for each project's end users (issue 11).
 *
 * - `stripe_configs`: one row per project, test and live credentials side by side, every
 *   credential sealed (`*_enc`) beside its display mask. DELETE clears `is_active` only, so
 *   subscriptions and payments keep the configuration they were made under.
 * - `stripe_customers`: the one Stripe customer of an end user in one mode.
 * - `stripe_subscriptions` / `stripe_payments`: what Stripe told us, keyed by Stripe's ids
 *   within (project, mode). `state_event_at` is the `created` time of the event whose state a
 *   subscription holds, so an older event arriving late changes nothing.
 * - `stripe_events`: one row per Stripe event id and project, inserted in the transaction of
 *   the event's effect; a replayed or concurrent duplicate meets the primary key and does nothing.
 */
export const payments: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('stripe_configs')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('test_secret_key_enc', 'text')
      .addColumn('test_secret_key_mask', 'varchar(64)')
      .addColumn('test_publishable_key_enc', 'text')
      .addColumn('test_publishable_key_mask', 'varchar(64)')
      .addColumn('test_webhook_secret_enc', 'text')
      .addColumn('test_webhook_secret_mask', 'varchar(64)')
      .addColumn('live_secret_key_enc', 'text')
      .addColumn('live_secret_key_mask', 'varchar(64)')
      .addColumn('live_publishable_key_enc', 'text')
      .addColumn('live_publishable_key_mask', 'varchar(64)')
      .addColumn('live_webhook_secret_enc', 'text')
      .addColumn('live_webhook_secret_mask', 'varchar(64)')
      .addColumn('test_configured_at', t.timestamp)
      .addColumn('live_configured_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .execute();

    await db.schema
      .createTable('stripe_customers')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('is_test_mode', t.boolean, (c) => c.notNull())
      .addColumn('customer_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addUniqueConstraint('stripe_customers_user_mode_unique', ['project_id', 'user_id', 'is_test_mode'])
      .addUniqueConstraint('stripe_customers_customer_unique', ['project_id', 'is_test_mode', 'customer_id'])
      .execute();

    await db.schema
      .createTable('stripe_subscriptions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(36)', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('is_test_mode', t.boolean, (c) => c.notNull())
      .addColumn('subscription_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('customer_id', 'varchar(255)')
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('price_id', 'varchar(255)')
      .addColumn('plan_name', 'varchar(255)')
      .addColumn('quantity', 'integer', (c) => c.notNull())
      .addColumn('current_period_start', t.timestamp)
      .addColumn('current_period_end', t.timestamp)
      .addColumn('cancel_at', t.timestamp)
      .addColumn('cancelled_at', t.timestamp)
      .addColumn('state_event_at', 'bigint')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('stripe_subscriptions_stripe_unique', ['project_id', 'is_test_mode', 'subscription_id'])
      .execute();
    await db.schema
      .createIndex('stripe_subscriptions_user_idx')
      .on('stripe_subscriptions')
      .columns(['project_id', 'user_id', 'is_test_mode'])
      .execute();

    await db.schema
      .createTable('stripe_payments')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('subscription_id', 'varchar(36)', (c) => c.references('stripe_subscriptions.id').onDelete('set null'))
      .addColumn('user_id', 'varchar(36)', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('is_test_mode', t.boolean, (c) => c.notNull())
      .addColumn('source_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('payment_intent_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('amount_cents', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'varchar(16)', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('refunded_amount_cents', 'bigint', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('stripe_payments_source_unique', ['project_id', 'is_test_mode', 'source_id'])
      .execute();
    await db.schema
      .createIndex('stripe_payments_user_idx')
      .on('stripe_payments')
      .columns(['project_id', 'user_id', 'is_test_mode'])
      .execute();

    await db.schema
      .createTable('stripe_events')
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('event_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('is_test_mode', t.boolean, (c) => c.notNull())
      .addColumn('type', 'varchar(128)', (c) => c.notNull())
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('stripe_events_pk', ['project_id', 'event_id'])
      .execute();
  },
};
