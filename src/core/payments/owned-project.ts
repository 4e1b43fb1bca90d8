import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import type { Project } from '../projects/project.js';

/** A project its developer manages payments of; foreign and unknown ids are NotFound alike. */
export async function ownedProject(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
): Promise<Project> {
  if (principal.kind !== 'developer')
    throw Forbidden('developer_required', 'Only the project owner may manage its payments.');
  return getProject(ctx, principal, projectId);
}

/** The developer behind a principal, for the cross-project lists. */
export function developerId(principal: Principal): string {
  if (principal.kind !== 'developer') throw Forbidden('developer_required', 'Only a developer may list payments.');
  return principal.userId;
}

/** The end user and project a principal is, for the end-user routes. */
export function endUser(principal: Principal): { userId: string; projectId: string } {
  if (principal.kind !== 'end_user')
    throw Forbidden('end_user_required', "This operation is for a project's end users.");
  return { userId: principal.userId, projectId: principal.projectId };
}
