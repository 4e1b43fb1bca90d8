import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

export const accountsAndProjects: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('email', 'varchar(320)', (c) => c.notNull())
      .addColumn('email_scope', 'varchar(36)', (c) => c.notNull())
      .addColumn('email_lower', 'varchar(320)', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('full_name', 'varchar(255)')
      .addColumn('role', 'varchar(32)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(36)')
      .addColumn('tier', 'varchar(32)', (c) => c.notNull().defaultTo('free_starter'))
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('email_verified_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('users_email_scope_unique', ['email_scope', 'email_lower'])
      .execute();
    await db.schema.createIndex('users_project_idx').on('users').columns(['project_id', 'created_at']).execute();

    await db.schema
      .createTable('projects')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('owner_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('slug', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('default_redirect_url', 'text')
      .addColumn('webhook_url', 'text')
      .addColumn('logo_url', 'text')
      .addColumn('webhook_secret_enc', 'text')
      .addColumn('meta', 'text')
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('has_paid', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addUniqueConstraint('projects_owner_name_unique', ['owner_id', 'name'])
      .execute();

    // End users point at their project; deleting a project removes its end users.
    if (t.dialect === 'postgres') {
      await sql`alter table users add constraint users_project_fk foreign key (project_id) references projects(id) on delete cascade`.execute(
        db,
      );
    }

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(36)', (c) => c.references('projects.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)')
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'varchar(16)', (c) => c.notNull())
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .addColumn('last_used_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('revoked_at', t.timestamp)
      .execute();
    await db.schema.createIndex('api_keys_user_idx').on('api_keys').columns(['user_id', 'kind']).execute();
    await db.schema.createIndex('api_keys_project_idx').on('api_keys').columns(['project_id']).execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('family_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('used_at', t.timestamp)
      .addColumn('revoked_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('refresh_tokens_family_idx').on('refresh_tokens').column('family_id').execute();

    await db.schema
      .createTable('email_verifications')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('used_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('owner_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(36)')
      .addColumn('type', 'varchar(64)', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('delivered_at', t.timestamp)
      .execute();
    await db.schema.createIndex('events_project_idx').on('events').columns(['project_id', 'created_at']).execute();
  },
};
