import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { isUuid } from '../../lib/ids.js';
import { BadRequest, DomainError } from '../errors.js';
import { getProject } from '../projects/get-project.js';
import type { Developer } from './key-record.js';

const notFound = () => new DomainError('not_found', 'api_key_not_found', 'API key not found');

/**
 * Revokes an API key of one of the developer's projects. A key of another project or another
 * developer answers 404 like an unknown one; a concurrent second revoke sees "already revoked".
 */
export async function revokeProjectKey(ctx: Pick<Context, 'db' | 'clock'>, principal: Developer, projectId: string, keyId: string): Promise<void> {
  const project = await getProject(ctx, principal, projectId);
  if (!isUuid(keyId)) throw notFound();
  const row = await ctx.db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', keyId.toLowerCase())
    .where('user_id', '=', principal.userId)
    .where('project_id', '=', project.id)
    .where('kind', '=', 'project')
    .executeTakeFirst();
  if (!row) throw notFound();
  await ctx.db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable('api_keys')
      .set({ is_active: false, revoked_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .where('user_id', '=', principal.userId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw BadRequest('api_key_inactive', 'API key is already revoked or inactive');
    await recordAudit(trx, ctx, principal, { action: 'project_key.revoked', targetType: 'project_key', targetId: row.id, projectId: project.id, ownerId: principal.userId, changedFields: ['is_active'] });
  });
}
