import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * The runtime check's two tables of record, reshaped for its traffic:
 *
 * - `runtime_changes`: one row per change that can alter a check's answer (a license
 *   revoked, a domain edited, a project's paid flag), written in the transaction of the
 *   change. Every process polls it by `seq` to drop exactly the cached snapshots concerned,
 *   which lets snapshots live long instead of expiring every half second.
 * - `license_check_counts` replaces the row-per-check `license_checks`: checks are counted
 *   per minute, project, license, identifier and outcome, so statistics cost a row per
 *   distinct combination instead of a row per request.
 */
export const runtimeFeed: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('runtime_changes')
      .addColumn('seq', t.dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        t.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('license_id', 'varchar(36)')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runtime_changes_created_idx').on('runtime_changes').column('created_at').execute();

    await db.schema
      .createTable('license_check_counts')
      .addColumn('minute', t.timestamp, (c) => c.notNull())
      .addColumn('project_id', 'varchar(36)')
      .addColumn('license_id', 'varchar(36)')
      .addColumn('identifier', 'varchar(255)')
      .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('license_check_counts_project_idx')
      .on('license_check_counts')
      .columns(['project_id', 'minute'])
      .execute();
    await db.schema
      .createIndex('license_check_counts_license_idx')
      .on('license_check_counts')
      .columns(['license_id', 'minute'])
      .execute();

    // Per-check rows were never read by an API; their totals carry over as counts.
    await sql`
      insert into license_check_counts (minute, project_id, license_id, identifier, outcome, count)
      select ${sql.raw(t.dialect === 'postgres' ? "date_trunc('minute', created_at)" : "substr(created_at, 1, 16) || ':00.000Z'")},
             project_id, license_id, identifier, outcome, count(*)
      from license_checks
      group by 1, project_id, license_id, identifier, outcome
    `.execute(db);
    await db.schema.dropTable('license_checks').execute();
  },
};
