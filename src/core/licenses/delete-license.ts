import type { Context } from '../../context.js';
import { NotFound } from '../errors.js';
import { licenseData } from '../events/event-data.js';
import { toLicense } from './license.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import type { Principal } from '../principal.js';
import { findLicenseRow } from './get-license.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { recordChange } from '../events/record-change.js';

/** Deletes the license (its identifiers and usage counters go with it, by cascade). */
export async function deleteLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
): Promise<void> {
  const project = await projectInScope(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findLicenseRow(trx, project.id, licenseId);
    const result = await trx
      .deleteFrom('licenses')
      .where('id', '=', row.id)
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw NotFound('license');
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: row.id });
    await recordChange(trx, ctx, principal, {
      type: 'license.deleted',
      project,
      target: { type: 'license', id: row.id },
      data: licenseData(toLicense(row, ctx.clock.now())),
    });
  });
}
