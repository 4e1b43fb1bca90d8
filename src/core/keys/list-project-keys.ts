import type { Context } from '../../context.js';
import { getProject } from '../projects/get-project.js';
import { toKeyRecord, type Developer, type KeyRecord } from './key-record.js';

/** The active API keys of one of the developer's projects, newest first; owner and project in the WHERE. */
export async function listProjectKeys(
  ctx: Pick<Context, 'db'>,
  principal: Developer,
  projectId: string,
): Promise<KeyRecord[]> {
  const project = await getProject(ctx, principal, projectId);
  const rows = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', principal.userId)
    .where('project_id', '=', project.id)
    .where('kind', '=', 'project')
    .where('is_active', '=', true)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toKeyRecord);
}
