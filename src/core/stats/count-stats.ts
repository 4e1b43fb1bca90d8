import type { SelectQueryBuilder } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';

export interface CountStats {
  total: number;
  active: number;
}

/** Generations by status (AI generation requests are the metered product). */
export interface GenerationCounts {
  total: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

export interface StatsFilter {
  projectId?: string | null;
  search?: string | null;
  isActive?: boolean | null;
}

/**
 * Totals over the developer's projects (or one of them): projects, end users and project API
 * keys, each as total and active. `search` and `is_active` narrow the projects counted.
 */
export async function countStats(
  ctx: Pick<Context, 'db'>,
  principal: Extract<Principal, { kind: 'developer' }>,
  f: StatsFilter,
): Promise<{ projects: CountStats; users: CountStats; apiKeys: CountStats; generations: GenerationCounts }> {
  if (f.projectId) await getProject(ctx, principal, f.projectId);
  let projects = ctx.db.selectFrom('projects').select('id').where('owner_id', '=', principal.userId);
  if (f.projectId) projects = projects.where('id', '=', f.projectId);
  if (f.isActive !== undefined && f.isActive !== null) projects = projects.where('is_active', '=', f.isActive);
  if (f.search) projects = projects.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${f.search!.toLowerCase()}%`));

  const count = async (table: 'projects' | 'users' | 'api_keys') => {
    const col = table === 'projects' ? 'id' : 'project_id';
    let q = ctx.db.selectFrom(table).where(col, 'in', projects);
    if (table === 'users') q = q.where('role', '=', 'end_user');
    if (table === 'api_keys') q = q.where('kind', '=', 'project');
    const r = await q
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(eb.case().when('is_active', '=', true).then(1).else(0).end()).as('active'),
      ])
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), active: Number(r.active ?? 0) };
  };
  const [p, u, k, g] = await Promise.all([
    count('projects'),
    count('users'),
    count('api_keys'),
    countGenerations(ctx.db.selectFrom('generations').where('project_id', 'in', projects)),
  ]);
  return { projects: p, users: u, apiKeys: k, generations: g };
}

/** Generations by status among those a query selects (a project's, an end user's, …). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export async function countGenerations(
  base: SelectQueryBuilder<Database, 'generations', {}>,
): Promise<GenerationCounts> {
  const rows = await base
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const out: GenerationCounts = { total: 0, pending: 0, processing: 0, completed: 0, failed: 0 };
  for (const r of rows) {
    out[r.status] = Number(r.n);
    out.total += Number(r.n);
  }
  return out;
}
