import { sql } from 'kysely';
import type { TollgateMigration } from './types.js';

/**
 * `licenses.expiry_event_at`: when the license's `license.expired` event was recorded. The
 * expiry sweeper claims a license by setting it (only where it is still null), so the event
 * is written exactly once however many processes sweep, and a partial index keeps the
 * sweeper's question ("which active licenses have expired unannounced?") cheap.
 */
export const licenseExpiry: TollgateMigration = {
  async up(db, t) {
    await db.schema.alterTable('licenses').addColumn('expiry_event_at', t.timestamp).execute();
    // Licenses whose expiry a runtime check already announced keep that announcement.
    await sql`
      update licenses set expiry_event_at = (
        select min(e.created_at) from events e
        where e.type = 'license.expired' and e.payload like ${'%"license_id":"'} || licenses.id || ${'"%'}
      )
      where expires_at is not null
    `.execute(db);
    await db.schema
      .createIndex('licenses_unannounced_expiry_idx')
      .on('licenses')
      .column('expires_at')
      .where(sql.ref('expiry_event_at'), 'is', null)
      .execute();
  },
};
