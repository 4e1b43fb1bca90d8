import type { Selectable } from 'kysely';
import type { Context } from '../../context.js';
import type { LicensesTable } from '../../db/schema/licenses.js';
import type { DomainError } from '../errors.js';
import { licenseData } from '../events/event-data.js';
import type { Principal } from '../principal.js';
import { findLicenseRow } from './get-license.js';
import { toLicense, type License } from './license.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { recordChange } from '../events/record-change.js';

export interface StatusChange {
  from: 'active' | 'revoked';
  to: 'active' | 'revoked';
  event: 'license.revoked' | 'license.reactivated';
  /** Why the license was not in `from` (or had expired), read after the failed update. */
  refusal(row: Selectable<LicensesTable>, now: Date): DomainError;
}

/**
 * Revoke and reactivate: one guarded UPDATE from `from` to `to` on an unexpired license. The
 * state test is in the UPDATE's WHERE, so two concurrent calls produce one change and one
 * event; the loser gets the refusal. The runtime change is noted in the same transaction.
 */
export async function setLicenseStatus(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
  change: StatusChange,
): Promise<License> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findLicenseRow(trx, project.id, licenseId);
    const result = await trx
      .updateTable('licenses')
      .set({ status: change.to, revoked_at: change.to === 'revoked' ? now : null, updated_at: now })
      .where('id', '=', before.id)
      .where('status', '=', change.from)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw change.refusal(await findLicenseRow(trx, project.id, licenseId), now);
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: before.id });
    const after = toLicense(await findLicenseRow(trx, project.id, before.id), now);
    await recordChange(trx, ctx, principal, {
      type: change.event,
      project,
      target: { type: 'license', id: before.id },
      data: licenseData(after),
      changedFields: ['status'],
    });
    return after;
  });
}
