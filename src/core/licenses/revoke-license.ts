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

/**
 * Revokes an active license. The state test is in the UPDATE's WHERE, so two concurrent
 * revokes produce one change and one event; the loser is told the license is not active.
 */
export async function revokeLicense(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string, licenseId: string): Promise<License> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findLicenseRow(trx, project.id, licenseId);
    const result = await trx
      .updateTable('licenses')
      .set({ status: 'revoked', revoked_at: now, updated_at: now })
      .where('id', '=', before.id)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const status = licenseStatus(await findLicenseRow(trx, project.id, licenseId), now);
      throw Forbidden('license_not_active', `Only an active license can be revoked; this license is ${status}.`);
    }
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: before.id });
    const after = toLicense(await findLicenseRow(trx, project.id, before.id), now);
    await recordEvent(trx, ctx, { ownerId: project.ownerId, projectId: project.id, type: 'license.revoked', data: licenseData(after) });
    await recordAudit(trx, ctx, principal, { action: 'license.revoked', targetType: 'license', targetId: before.id, projectId: project.id, ownerId: project.ownerId, changedFields: ['status'] });
    return after;
  });
}
