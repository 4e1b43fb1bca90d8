import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * Devices and seats (issue 20): the license's seat settings, its devices, and the changes
 * counted against DEVICE_CHANGES_PER_DAY. One `active` device per (license, fingerprint) is a
 * partial unique index, so two concurrent activations of one fingerprint cannot both insert.
 * `release_at` (two heartbeat intervals after the last heartbeat) makes the release sweep an
 * indexed range instead of arithmetic over every device.
 */
export const devices: TollgateMigration = {
  async up(db, t) {
    await db.schema.alterTable('licenses').addColumn('max_devices', 'integer').execute();
    await db.schema.alterTable('licenses').addColumn('heartbeat_interval', 'integer').execute();
    await db.schema
      .alterTable('licenses')
      .addColumn('component_match', 'varchar(16)', (c) => c.notNull().defaultTo('any'))
      .execute();

    await db.schema
      .createTable('license_devices')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('license_id', 'varchar(36)', (c) => c.notNull().references('licenses.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(36)', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('fingerprint', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)')
      .addColumn('platform', 'varchar(64)')
      .addColumn('components', 'text')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('activated_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_heartbeat_at', t.timestamp, (c) => c.notNull())
      .addColumn('ended_at', t.timestamp)
      .addColumn('release_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('license_devices_one_active')
      .on('license_devices')
      .columns(['license_id', 'fingerprint'])
      .unique()
      .where(sql.ref('status'), '=', 'active')
      .execute();
    await db.schema
      .createIndex('license_devices_release_idx')
      .on('license_devices')
      .columns(['status', 'release_at'])
      .execute();
    await db.schema
      .createIndex('license_devices_license_idx')
      .on('license_devices')
      .columns(['license_id', 'status'])
      .execute();

    await db.schema
      .createTable('license_device_changes')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('license_id', 'varchar(36)', (c) => c.notNull().references('licenses.id').onDelete('cascade'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('license_device_changes_license_idx')
      .on('license_device_changes')
      .columns(['license_id', 'created_at'])
      .execute();
  },
};
