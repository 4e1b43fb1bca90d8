import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * Signing keys of projects and the offline license files handed out (issue 20). A project's
 * key pair is made on first use (core/signing/project-keys.ts), not here: its private half is
 * sealed with the server secret, which migrations do not receive. One `active` key per
 * project is a partial unique index, so two concurrent first uses or rotations cannot both win.
 */
export const signingKeys: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('private_key_enc', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('retires_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('signing_keys_one_active')
      .on('signing_keys')
      .column('project_id')
      .unique()
      .where(sql.ref('status'), '=', 'active')
      .execute();
    await db.schema
      .createIndex('signing_keys_project_idx')
      .on('signing_keys')
      .columns(['project_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('license_checkouts')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('license_id', 'varchar(36)', (c) => c.notNull().references('licenses.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('kid', 'varchar(64)', (c) => c.notNull())
      .addColumn('fingerprint', 'varchar(255)')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('license_checkouts_license_idx')
      .on('license_checkouts')
      .columns(['license_id', 'created_at'])
      .execute();
  },
};
