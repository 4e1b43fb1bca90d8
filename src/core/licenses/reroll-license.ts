import { randomUUID } from 'node:crypto';
import type { Context } from '../../context.js';
import { toIso } from '../../lib/time.js';
import { licenseData } from '../events/event-data.js';
import { recordChange } from '../events/record-change.js';
import { rerollColumns } from '../keys/overlap.js';
import { hashKey } from '../keys/secret-key.js';
import type { Principal } from '../principal.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { findLicenseRow } from './get-license.js';
import { LICENSE_KEY_PREFIX_LENGTH, toLicense, type License } from './license.js';

export interface RerolledLicense {
  license: License;
  /** The new key, in full: shown once, here. */
  key: string;
  /** Until when the old key still passes the runtime check (null: it is refused at once). */
  previousKeyExpiresAt: string | null;
}

/**
 * A new key for a license; the row stays, so its id, limits, domains, identifiers and
 * counters stay. The old key's hash is kept with its end of overlap: the runtime snapshot of
 * the old key carries that time and the rules refuse it after, on every process, with no
 * further change to propagate. The change noted here drops the cached snapshots of the
 * license everywhere (the old key's snapshot did not know its end yet) and teaches every
 * key filter the new hash.
 */
export async function rerollLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
  overlapSeconds: number,
): Promise<RerolledLicense> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  const key = randomUUID();
  const columns = rerollColumns(hashKey(key), key.slice(0, LICENSE_KEY_PREFIX_LENGTH), overlapSeconds, now);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findLicenseRow(trx, project.id, licenseId);
    const row = await trx
      .updateTable('licenses')
      .set({ ...columns, updated_at: now })
      .where('id', '=', before.id)
      .where('project_id', '=', project.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: row.id, keyHash: row.key_hash });
    const license = toLicense(row, now);
    const previousKeyExpiresAt = toIso(row.previous_key_expires_at);
    await recordChange(trx, ctx, principal, {
      type: 'license.rerolled',
      project,
      target: { type: 'license', id: row.id },
      data: { ...licenseData(license), previous_key_expires_at: previousKeyExpiresAt },
      changedFields: ['key'],
    });
    return { license, key, previousKeyExpiresAt };
  });
}
