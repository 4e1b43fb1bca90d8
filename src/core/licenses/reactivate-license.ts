import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { licenseData } from '../events/event-data.js';
import { recordEvent } from '../events/record-event.js';
import { noteRuntimeChange } from './runtime-changes.js';
import type { Principal } from '../principal.js';
import { findLicenseRow } from './get-license.js';
import { licenseStatus, toLicense, type License } from './license.js';
import { projectInScope } from './project-scope.js';

/** Reactivates a revoked license that has not expired meanwhile; anything else is 403. */
export async function reactivateLicense(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string, licenseId: string): Promise<License> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findLicenseRow(trx, project.id, licenseId);
    const result = await trx
      .updateTable('licenses')
      .set({ status: 'active', revoked_at: null, updated_at: now })
      .where('id', '=', before.id)
      .where('status', '=', 'revoked')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const row = await findLicenseRow(trx, project.id, licenseId);
      const why = row.status === 'revoked' ? 'it has expired' : `it is ${licenseStatus(row, now)}`;
      throw Forbidden('license_not_revoked', `Only a revoked, unexpired license can be reactivated; ${why}.`);
    }
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: before.id });
    const after = toLicense(await findLicenseRow(trx, project.id, before.id), now);
    await recordEvent(trx, ctx, { ownerId: project.ownerId, projectId: project.id, type: 'license.reactivated', data: licenseData(after) });
    await recordAudit(trx, ctx, principal, { action: 'license.reactivated', targetType: 'license', targetId: before.id, projectId: project.id, ownerId: project.ownerId, changedFields: ['status'] });
    return after;
  });
}
