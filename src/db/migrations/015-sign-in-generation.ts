import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * `users.sign_in_generation`: a password change moves it, and an access token carries the
 * generation it was issued under (claim `gen`, absent on tokens issued before this migration,
 * which count as generation 0). A token of an older generation is refused, so a password
 * change ends every access token issued before it at once, not when each expires.
 */
export const signInGeneration: TollgateMigration = {
  async up(db) {
    await db.schema
      .alterTable('users')
      .addColumn('sign_in_generation', 'integer', (c) => c.notNull().defaultTo(sql`0`))
      .execute();
  },
};
