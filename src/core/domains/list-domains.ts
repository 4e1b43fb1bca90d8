import type { Context } from '../../context.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toDomain, type Domain } from './domain.js';

/** The project's domains, newest first. */
export async function listDomains(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  req: PageRequest,
): Promise<Page<Domain>> {
  const { limit, before } = pageWindow(req);
  const project = await projectInScope(ctx, principal, projectId);
  let q = ctx.db.selectFrom('domains').selectAll().where('project_id', '=', project.id);
  if (before) q = q.where('id', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toDomain);
}
