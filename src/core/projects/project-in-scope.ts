import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { getProject } from './get-project.js';
import type { Project } from './project.js';

/**
 * The project a management call on licenses, domains, injectables, webhook deliveries or the
 * audit log acts in. A project-scoped key named on another project is refused outright (403,
 * as specs/devpayr.md says); any other foreign or unknown project is NotFound, the owner being
 * in the lookup's WHERE.
 */
export async function projectInScope(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
): Promise<Project> {
  if (principal.kind === 'project_key' && principal.projectId !== projectId) {
    throw Forbidden('project_scope', 'This API key is not authorized for this project.');
  }
  if (principal.kind !== 'developer' && principal.kind !== 'project_key') {
    throw Forbidden('developer_required', 'Only the project owner may manage its licensing.');
  }
  return getProject(ctx, principal, projectId);
}
