import type { TollgateMigration } from './types.js';

/**
 * The console's server-side sessions (issue 13). The browser holds only an opaque random
 * token in an HttpOnly cookie; the row is found by the token's SHA-256, and carries the
 * account's access and refresh tokens sealed with the server key (never sent to the page).
 * `expires_at` is the absolute limit; the idle limit is measured from `last_seen_at`.
 * `instance_settings` holds the few switches an operator flips in the console (open sign-up).
 */
export const consoleSessions: TollgateMigration = {
  async up(db, t) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('access_token_enc', 'text')
      .addColumn('refresh_token_enc', 'text')
      .addColumn('user_agent', 'varchar(255)')
      .addColumn('ip', 'varchar(64)')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('revoked_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('console_sessions_user_idx')
      .on('console_sessions')
      .columns(['user_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('instance_settings')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
  },
};
