import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';

/**
 * Serialises the transactions that count-then-insert under one account's plan limits.
 * A no-op write takes the row lock on PostgreSQL and the write lock on SQLite, so
 * concurrent creators (other requests, other processes) wait here until this one commits.
 */
export async function lockAccount(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ tier: eb.ref('tier') }))
    .where('id', '=', userId)
    .execute();
}
