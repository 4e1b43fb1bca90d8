import type { Context } from '../../context.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toInjectable, type Injectable } from './injectable.js';

/** The project's injectables, newest first, without content (the sealed columns are not even read). */
export async function listInjectables(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  req: PageRequest,
): Promise<Page<Injectable>> {
  const { limit, before } = pageWindow(req);
  const project = await projectInScope(ctx, principal, projectId);
  let q = ctx.db
    .selectFrom('injectables')
    .select([
      'id',
      'project_id',
      'title',
      'slug',
      'type',
      'mode',
      'target_path',
      'content_hash',
      'only_if_paid',
      'is_active',
      'created_at',
      'updated_at',
    ])
    .where('project_id', '=', project.id);
  if (before) q = q.where('id', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => toInjectable({ ...r, content_enc: '', secret_enc: '' }));
}
