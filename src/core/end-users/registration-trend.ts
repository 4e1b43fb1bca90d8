import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import { utcDayOf, windowStart, zeroFilled } from '../stats/per-day.js';

/**
 * End users registered per UTC day over the developer's projects (or one of them: a foreign
 * one is NotFound), the last `days` days with today, oldest first, zero-filled: one query.
 */
export async function registrationTrend(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock'>,
  principal: Extract<Principal, { kind: 'developer' }>,
  f: { days: number; projectId?: string | null },
): Promise<{ days: Array<{ day: string; count: number }>; total: number }> {
  if (f.projectId) await getProject(ctx, principal, f.projectId);
  const from = windowStart(ctx.clock.now(), f.days);
  const day = utcDayOf(ctx.dialect, 'u.created_at');
  let q = ctx.db
    .selectFrom('users as u')
    .innerJoin('projects as p', 'p.id', 'u.project_id')
    .where('p.owner_id', '=', principal.userId)
    .where('u.role', '=', 'end_user')
    .where('u.created_at', '>=', from);
  if (f.projectId) q = q.where('p.id', '=', f.projectId);
  const rows = await q
    .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(day)
    .execute();
  const days = zeroFilled(from, f.days, rows);
  return { days, total: days.reduce((s, d) => s + d.count, 0) };
}
