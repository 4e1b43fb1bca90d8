import type { Context } from '../../context.js';
import type { Tier } from '../../db/schema/index.js';
import { toIso } from '../../lib/time.js';
import { Forbidden } from '../errors.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import type { Principal } from '../principal.js';

export interface DeveloperAccount {
  id: string;
  email: string;
  fullName: string | null;
  tier: Tier;
  isActive: boolean;
  createdAt: string;
  projects: number;
}

/** Operators: the instance's developer accounts, newest first, optionally narrowed by email or name. */
export async function listDevelopers(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  req: PageRequest,
  filter: { search?: string | null } = {},
): Promise<Page<DeveloperAccount>> {
  if (principal.kind !== 'operator')
    throw Forbidden('operator_required', 'Insufficient permissions. Platform operator role required.');
  const { limit, before } = pageWindow(req);
  let q = ctx.db
    .selectFrom('users as u')
    .where('u.role', '=', 'developer')
    .select((eb) => [
      'u.id',
      'u.email',
      'u.full_name',
      'u.tier',
      'u.is_active',
      'u.created_at',
      eb
        .selectFrom('projects as p')
        .whereRef('p.owner_id', '=', 'u.id')
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('projects'),
    ])
    .orderBy('u.id', 'desc')
    .limit(limit + 1);
  if (before) q = q.where('u.id', '<', before);
  if (filter.search) {
    const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('u.email_lower', 'like', like), eb(eb.fn('lower', ['u.full_name']), 'like', like)]));
  }
  return toPage(await q.execute(), limit, (r) => ({
    id: r.id,
    email: r.email,
    fullName: r.full_name,
    tier: r.tier,
    isActive: Boolean(r.is_active),
    createdAt: toIso(r.created_at),
    projects: Number(r.projects ?? 0),
  }));
}
