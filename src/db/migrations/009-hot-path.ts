import type { TollgateMigration } from './types.js';

/**
 * `runtime_changes.key_hash`: the key hash of a license a change created. Every process keeps
 * all key hashes in memory (core/runtime/key-filter.ts) to refuse unknown keys without a
 * query; a license issued through another process reaches that set through this column,
 * read by the change feed or pushed over Redis.
 */
export const hotPath: TollgateMigration = {
  async up(db) {
    await db.schema.alterTable('runtime_changes').addColumn('key_hash', 'varchar(64)').execute();
  },
};
