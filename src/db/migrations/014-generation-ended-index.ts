import type { TollgateMigration } from './types.js';

/**
 * The console's instance banner asks how the generations that ended in the last hour went
 * (core/stats/instance-health.ts) on every dashboard load: an index on (status, updated_at)
 * makes that a range read of the last hour's finished rows instead of a scan of every
 * generation of the instance.
 */
export const generationEndedIndex: TollgateMigration = {
  async up(db) {
    await db.schema
      .createIndex('generations_status_updated_idx')
      .on('generations')
      .columns(['status', 'updated_at'])
      .execute();
  },
};
