import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * Generations are their own jobs: a row in `pending` is work to do, claimed by setting
 * `status = 'processing'` with a lease (`lease_until`, `lease_token`); a lease that runs out
 * (its process died) makes the row claimable again, and only the holder of the current
 * token may finish it. `generation_usage` is the monthly quota counter per developer,
 * incremented by a conditional UPDATE so parallel creates in any process cannot overshoot;
 * `anonymous_generation_usage` is the same per client IP (hashed) and UTC day.
 */
export const generations: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('generations')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.references('projects.id').onDelete('cascade'))
      // The developer whose quota and concurrency the generation counts against (null: anonymous without a project).
      .addColumn('owner_id', 'varchar(36)')
      // The end user who made it; null for anonymous generations.
      .addColumn('user_id', 'varchar(36)', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('anonymous', t.boolean, (c) => c.notNull())
      .addColumn('instructions', 'text', (c) => c.notNull())
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('is_public', t.boolean, (c) => c.notNull())
      // JSON array of {key, content_type} in the blob store.
      .addColumn('example_images', 'text', (c) => c.notNull())
      .addColumn('result_key', 'varchar(255)')
      .addColumn('result_content_type', 'varchar(64)')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('run_after', t.timestamp, (c) => c.notNull())
      .addColumn('lease_until', t.timestamp)
      .addColumn('lease_token', 'varchar(36)')
      // The UTC month (YYYY-MM) whose quota unit it holds; null when it holds none (anonymous, unlimited, or given back).
      .addColumn('quota_month', 'varchar(7)')
      .addColumn('provider', 'varchar(32)', (c) => c.notNull())
      .addColumn('enqueued_at', t.timestamp, (c) => c.notNull())
      .addColumn('started_at', t.timestamp)
      .addColumn('completed_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .execute();
    await db.schema.createIndex('generations_user_idx').on('generations').columns(['user_id', 'id']).execute();
    await db.schema
      .createIndex('generations_public_idx')
      .on('generations')
      .columns(['is_public', 'project_id', 'id'])
      .execute();
    await db.schema
      .createIndex('generations_project_status_idx')
      .on('generations')
      .columns(['project_id', 'status'])
      .execute();
    // The claim's question: which unfinished jobs are due? Only pending/processing rows are indexed.
    await db.schema
      .createIndex('generations_due_idx')
      .on('generations')
      .columns(['run_after'])
      .where(sql.ref('status'), 'in', sql`('pending', 'processing')`)
      .execute();
    await db.schema
      .createIndex('generations_running_idx')
      .on('generations')
      .columns(['owner_id', 'lease_until'])
      .where(sql.ref('status'), '=', 'processing')
      .execute();

    await db.schema
      .createTable('generation_usage')
      .addColumn('owner_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('month', 'varchar(7)', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('generation_usage_pk', ['owner_id', 'month'])
      .execute();

    await db.schema
      .createTable('anonymous_generation_usage')
      .addColumn('client', 'varchar(64)', (c) => c.notNull())
      .addColumn('day', 'varchar(10)', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('anonymous_generation_usage_pk', ['client', 'day'])
      .execute();
  },
};
