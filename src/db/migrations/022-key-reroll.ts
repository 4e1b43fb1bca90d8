import type { TollgateMigration } from './types.js';

/**
 * Key reroll with an overlap (issue 21): a developer key, a project API key or a license gets
 * a new secret while the old one keeps working until `previous_key_expires_at`. The old hash
 * stays on the same row, so id, name, scopes, limits and counters stay too. Lookups by hash
 * match `key_hash` or `previous_key_hash`; each has its own unique index, so the lookup stays
 * one indexed query (an OR of two index probes) and no secret can be both at once.
 */
export const keyReroll: TollgateMigration = {
  async up(db, t) {
    for (const table of ['api_keys', 'licenses']) {
      await db.schema.alterTable(table).addColumn('previous_key_hash', 'varchar(64)').execute();
      await db.schema.alterTable(table).addColumn('previous_key_expires_at', t.timestamp).execute();
      await db.schema
        .createIndex(`${table}_previous_key_hash_key`)
        .on(table)
        .column('previous_key_hash')
        .unique()
        .execute();
    }
  },
};
