import type { Context } from '../../context.js';
import { Conflict } from '../errors.js';
import { domainData } from '../events/event-data.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { findDomainRow, toDomain } from './domain.js';
import { recordChange } from '../events/record-change.js';

/**
 * Removes the domain. A domain that licenses are pinned to is kept: the schema would unpin
 * them (ON DELETE SET NULL), silently widening where those licenses work.
 */
export async function deleteDomain(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  domainId: string,
): Promise<void> {
  const project = await projectInScope(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findDomainRow(trx, project.id, domainId);
    const pinned = await trx
      .selectFrom('licenses')
      .select('id')
      .where('project_id', '=', project.id)
      .where('domain_id', '=', row.id)
      .executeTakeFirst();
    if (pinned)
      throw Conflict(
        'domain',
        'domain_pinned',
        'Licenses are pinned to this domain; delete those licenses before the domain.',
      );
    await trx.deleteFrom('domains').where('id', '=', row.id).where('project_id', '=', project.id).execute();
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
    await recordChange(trx, ctx, principal, {
      type: 'domain.deleted',
      project,
      target: { type: 'domain', id: row.id },
      data: domainData(toDomain(row)),
    });
  });
}
