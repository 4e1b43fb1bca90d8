import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * Webhook deliveries (one row per event and endpoint, written in the event's transaction and
 * claimed with a lease), their attempts, the endpoint's failure state on the project, and the
 * audit log. Events recorded before this migration keep their rows but get no delivery (a
 * project would otherwise receive its whole history at once); their old type names are
 * renamed to the published list.
 */
export const webhooksAudit: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('owner_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
      // pending | retrying | delivered | failed
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', t.timestamp)
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('lease_until', t.timestamp)
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      // The endpoint when the event was recorded: a project.deleted event has no project left to read it from.
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret_enc', 'text')
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due_idx')
      .on('webhook_deliveries')
      .column('next_attempt_at')
      .where(sql.ref('status'), 'in', [sql.lit('pending'), sql.lit('retrying')])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_project_idx')
      .on('webhook_deliveries')
      .columns(['project_id', 'id'])
      .execute();
    await db.schema.createIndex('webhook_deliveries_event_idx').on('webhook_deliveries').column('event_id').execute();

    await db.schema
      .createTable('webhook_attempts')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('delivery_id', 'varchar(36)', (c) =>
        c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
      )
      .addColumn('attempted_at', t.timestamp, (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('response_body', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('webhook_attempts_delivery_idx')
      .on('webhook_attempts')
      .columns(['delivery_id', 'attempted_at'])
      .execute();

    await db.schema.alterTable('projects').addColumn('webhook_failing_since', t.timestamp).execute();
    await db.schema.alterTable('projects').addColumn('webhook_disabled_at', t.timestamp).execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      // The developer whose data the change touched (whose log shows it); null for operator-only changes.
      .addColumn('owner_id', 'varchar(36)')
      .addColumn('actor_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('actor_id', 'varchar(36)')
      .addColumn('key_prefix', 'varchar(32)')
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('target_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('target_id', 'varchar(64)')
      .addColumn('project_id', 'varchar(36)')
      .addColumn('ip', 'varchar(64)')
      .addColumn('request_id', 'varchar(128)')
      // JSON array of field names.
      .addColumn('changed_fields', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_owner_idx').on('audit_log').columns(['owner_id', 'id']).execute();
    await db.schema.createIndex('audit_log_project_idx').on('audit_log').columns(['project_id', 'id']).execute();
    await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute();

    await sql`update events set type = 'domain.created' where type = 'domain.added'`.execute(db);
    await sql`update events set type = 'domain.deleted' where type = 'domain.removed'`.execute(db);
    await sql`update events set type = 'domain.updated' where type = 'domain.paid_changed'`.execute(db);
    await sql`update events set type = 'project.paid' where type = 'project.paid_changed' and payload like ${'%"has_paid":true%'}`.execute(
      db,
    );
    await sql`update events set type = 'project.unpaid' where type = 'project.paid_changed'`.execute(db);
  },
};
