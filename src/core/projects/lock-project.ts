import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';

/**
 * Serialises the transactions that keep a per-project invariant (one primary domain): a no-op
 * write takes the project's row lock on PostgreSQL (the write lock on SQLite), so a second
 * promoter waits until this one commits. Only those transactions take it; plain domain writes
 * of the project, and everything of the owner's other projects, run side by side.
 */
export async function lockProject(trx: Transaction<Database>, projectId: string): Promise<void> {
  await trx
    .updateTable('projects')
    .set((eb) => ({ name: eb.ref('name') }))
    .where('id', '=', projectId)
    .execute();
}
