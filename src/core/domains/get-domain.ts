import type { Context } from '../../context.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { findDomainRow, toDomain, type Domain } from './domain.js';

export async function getDomain(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  domainId: string,
): Promise<Domain> {
  const project = await projectInScope(ctx, principal, projectId);
  return toDomain(await findDomainRow(ctx.db, project.id, domainId));
}
