import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { pageWindow, toPage, type Page, type PageRequest } from './cursor-page.js';
import { toLicense, type License } from './license.js';
import { projectInScope } from './project-scope.js';

/** The project's licenses, newest first. */
export async function listLicenses(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string, req: PageRequest): Promise<Page<License>> {
  const { limit, before } = pageWindow(req);
  const project = await projectInScope(ctx, principal, projectId);
  let q = ctx.db.selectFrom('licenses').selectAll().where('project_id', '=', project.id);
  if (before) q = q.where('id', '<', before);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const now = ctx.clock.now();
  return toPage(rows, limit, (r) => toLicense(r, now));
}
