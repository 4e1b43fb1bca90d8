import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { pageWindow, toPage, type Page, type PageRequest } from './cursor-page.js';
import { toLicense, type License, type LicenseStatus } from './license.js';
import { projectInScope } from '../projects/project-in-scope.js';

/** The project's licenses, newest first; `status` keeps only active, revoked or expired ones (expiry judged now). */
export async function listLicenses(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
  req: PageRequest,
  filter: { status?: LicenseStatus | null } = {},
): Promise<Page<License>> {
  const { limit, before } = pageWindow(req);
  const project = await projectInScope(ctx, principal, projectId);
  let q = ctx.db.selectFrom('licenses').selectAll().where('project_id', '=', project.id);
  if (before) q = q.where('id', '<', before);
  const now = ctx.clock.now();
  if (filter.status === 'revoked') q = q.where('status', '=', 'revoked');
  if (filter.status === 'active')
    q = q
      .where('status', '!=', 'revoked')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if (filter.status === 'expired') q = q.where('status', '!=', 'revoked').where('expires_at', '<=', now);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => toLicense(r, now));
}
