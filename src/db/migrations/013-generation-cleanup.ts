import type { TollgateMigration } from './types.js';

/**
 * `generation_blob_deletions`: the images of deleted generations still to be removed from the
 * blob store. A row is written in the same transaction as the delete (of a generation, or of
 * a project and with it its generations), so the files go even if the process dies right
 * after the commit: any process's cleanup loop takes due rows, deletes the blobs and then the
 * row, and retries later when the store is unreachable.
 *
 * `generations.provider_callback`: the verified news a provider called back with (Replicate's
 * webhook: the prediction's id, status, output and error), kept on the row until the job
 * running it, in whichever process, reads it.
 */
export const generationCleanup: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('generation_blob_deletions')
      .addColumn('generation_id', 'varchar(36)', (c) => c.primaryKey())
      // The generation's example_images (JSON of {key, content_type}) and result_key, copied from its row.
      .addColumn('example_images', 'text', (c) => c.notNull())
      .addColumn('result_key', 'varchar(255)')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('due_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('generation_blob_deletions_due_idx')
      .on('generation_blob_deletions')
      .columns(['due_at'])
      .execute();
    await db.schema.alterTable('generations').addColumn('provider_callback', 'text').execute();
  },
};
