import type { Context } from '../../context.js';
import { toIso } from '../../lib/time.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';

export interface UserFilter {
  page: number;
  pageSize: number;
  search?: string | null;
  isActive?: boolean | null;
  /** Narrow to one project (which must be the developer's: a foreign one is NotFound). */
  projectId?: string | null;
}

export interface ListedUser {
  id: string;
  email: string;
  fullName: string | null;
  isActive: boolean;
  createdAt: string;
  projectId: string;
  projectName: string;
}

/** End users of the developer's projects, page by page; the owner is in the WHERE. */
export async function listEndUsers(
  ctx: Pick<Context, 'db'>,
  principal: Extract<Principal, { kind: 'developer' }>,
  f: UserFilter,
): Promise<{ users: ListedUser[]; total: number }> {
  if (f.projectId) await getProject(ctx, principal, f.projectId);
  let q = ctx.db
    .selectFrom('users as u')
    .innerJoin('projects as p', 'p.id', 'u.project_id')
    .where('p.owner_id', '=', principal.userId)
    .where('u.role', '=', 'end_user');
  if (f.projectId) q = q.where('p.id', '=', f.projectId);
  if (f.isActive !== undefined && f.isActive !== null) q = q.where('u.is_active', '=', f.isActive);
  if (f.search) {
    const like = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('u.email_lower', 'like', like), eb(eb.fn('lower', ['u.full_name']), 'like', like)]));
  }
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .select([
      'u.id',
      'u.email',
      'u.full_name',
      'u.is_active',
      'u.created_at',
      'p.id as project_id',
      'p.name as project_name',
    ])
    .orderBy('u.id', 'desc')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  return {
    total: Number(n),
    users: rows.map((r) => ({
      id: r.id,
      email: r.email,
      fullName: r.full_name,
      isActive: Boolean(r.is_active),
      createdAt: toIso(r.created_at),
      projectId: r.project_id,
      projectName: r.project_name,
    })),
  };
}
