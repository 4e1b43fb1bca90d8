import type { Selectable, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { LicensesTable } from '../../db/schema/licenses.js';
import { hashKey } from '../keys/secret-key.js';
import { licenseStatus } from '../licenses/license.js';
import { DeviceErrors } from './device-errors.js';

/** The license a holder's key names, and its project's owner (events are the owner's). */
export interface HolderLicense {
  row: Selectable<LicensesTable>;
  project: { id: string; ownerId: string };
}

/**
 * The active license of X-LICENSE-KEY: a missing key is 401, an unknown one, a revoked or
 * expired license 403. The key is looked up by its SHA-256, as every runtime check does.
 */
export async function holderLicense(
  ctx: Pick<Context, 'db' | 'clock'>,
  licenseKey: string | null,
): Promise<HolderLicense> {
  if (!licenseKey) throw DeviceErrors.licenseRequired();
  const row = await ctx.db
    .selectFrom('licenses')
    .selectAll()
    .where('key_hash', '=', hashKey(licenseKey))
    .executeTakeFirst();
  if (!row) throw DeviceErrors.invalidLicense();
  const status = licenseStatus(row, ctx.clock.now());
  if (status !== 'active') throw DeviceErrors.licenseNotActive(status);
  const project = await ctx.db
    .selectFrom('projects')
    .select(['id', 'owner_id'])
    .where('id', '=', row.project_id)
    .executeTakeFirst();
  if (!project) throw DeviceErrors.invalidLicense();
  return { row, project: { id: project.id, ownerId: project.owner_id } };
}

/**
 * Serialises the transactions that count a license's seats or device changes: a no-op write
 * takes the license's row lock on PostgreSQL and the write lock on SQLite, so concurrent
 * activations (other requests, other processes) wait here until this one commits. Returns
 * the row as it is under the lock (its max_devices may have changed since it was read).
 */
export async function lockLicense(trx: Transaction<Database>, licenseId: string): Promise<Selectable<LicensesTable>> {
  await trx
    .updateTable('licenses')
    .set((eb) => ({ title: eb.ref('title') }))
    .where('id', '=', licenseId)
    .execute();
  return trx.selectFrom('licenses').selectAll().where('id', '=', licenseId).executeTakeFirstOrThrow();
}
