import type { TollgateMigration } from './types.js';

export const licensing: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('domains')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('domain', 'varchar(255)', (c) => c.notNull())
      .addColumn('environment', 'varchar(16)', (c) => c.notNull())
      .addColumn('is_primary', t.boolean, (c) => c.notNull())
      .addColumn('is_verified', t.boolean, (c) => c.notNull())
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('has_paid', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('domains_project_domain_unique', ['project_id', 'domain'])
      .execute();

    await db.schema
      .createTable('licenses')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('title', 'varchar(255)', (c) => c.notNull())
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .addColumn('domain_id', 'varchar(36)', (c) => c.references('domains.id').onDelete('set null'))
      .addColumn('max_domains', 'integer')
      .addColumn('max_subdomains_per_domain', 'integer')
      .addColumn('max_usage_per_day', 'integer')
      .addColumn('allowed_ips', 'text')
      .addColumn('allowed_countries', 'text')
      .addColumn('is_test_license', t.boolean, (c) => c.notNull())
      .addColumn('revoked_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('licenses_project_title_unique', ['project_id', 'title'])
      .execute();
    await db.schema.createIndex('licenses_project_idx').on('licenses').columns(['project_id', 'id']).execute();

    await db.schema
      .createTable('license_identifiers')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('license_id', 'varchar(36)', (c) => c.notNull().references('licenses.id').onDelete('cascade'))
      .addColumn('identifier', 'varchar(255)', (c) => c.notNull())
      .addColumn('base_domain', 'varchar(255)', (c) => c.notNull())
      .addColumn('first_seen_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .addColumn('use_count', 'integer', (c) => c.notNull())
      .addUniqueConstraint('license_identifiers_unique', ['license_id', 'identifier'])
      .execute();

    await db.schema
      .createTable('license_usage_days')
      .addColumn('license_id', 'varchar(36)', (c) => c.notNull().references('licenses.id').onDelete('cascade'))
      .addColumn('day', 'varchar(10)', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('license_usage_days_pk', ['license_id', 'day'])
      .execute();

    await db.schema
      .createTable('injectables')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('title', 'varchar(255)')
      .addColumn('slug', 'varchar(255)', (c) => c.notNull())
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('mode', 'varchar(32)', (c) => c.notNull())
      .addColumn('target_path', 'text')
      .addColumn('content_enc', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('secret_enc', 'text', (c) => c.notNull())
      .addColumn('only_if_paid', t.boolean, (c) => c.notNull())
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('injectables_project_slug_unique', ['project_id', 'slug'])
      .execute();

    await db.schema
      .createTable('license_checks')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)')
      .addColumn('license_id', 'varchar(36)')
      .addColumn('identifier', 'varchar(255)')
      .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('license_checks_project_idx')
      .on('license_checks')
      .columns(['project_id', 'created_at'])
      .execute();
  },
};
