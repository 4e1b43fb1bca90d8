import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { DomainError } from '../errors.js';
import { getProject } from '../projects/get-project.js';
import type { Developer } from './key-record.js';
import { revokeKey } from './revoke-key.js';

const notFound = () => new DomainError('not_found', 'api_key_not_found', 'API key not found');

/**
 * Revokes an API key of one of the developer's projects. A key of another project or another
 * developer answers 404 like an unknown one; a concurrent second revoke sees "already revoked".
 */
export async function revokeProjectKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  projectId: string,
  keyId: string,
): Promise<void> {
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
  await revokeKey(
    ctx,
    principal,
    row.id,
    { code: 'api_key_inactive', message: 'API key is already revoked or inactive' },
    { action: 'project_key.revoked', targetType: 'project_key', projectId: project.id },
  );
}
