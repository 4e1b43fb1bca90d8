import type { Context } from '../../context.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import type { Principal } from '../principal.js';
import { toProject, type Project } from './project.js';

/** The projects the principal may see, newest first, one cursor page at a time; `search` narrows by name (case-insensitive). */
export async function listProjects(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  req: PageRequest,
  filter: { search?: string | null } = {},
): Promise<Page<Project>> {
  const { limit, before } = pageWindow(req);
  let q = ctx.db
    .selectFrom('projects')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (principal.kind === 'developer') q = q.where('owner_id', '=', principal.userId);
  if (principal.kind === 'project_key')
    q = q.where('owner_id', '=', principal.userId).where('id', '=', principal.projectId);
  if (principal.kind === 'end_user') q = q.where('id', '=', principal.projectId);
  if (before) q = q.where('id', '<', before);
  if (filter.search) {
    const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb(eb.fn('lower', ['name']), 'like', eb.val(like)));
  }
  return toPage(await q.execute(), limit, toProject);
}
