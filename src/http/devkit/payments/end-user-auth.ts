import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.js';
import { Forbidden } from '../../../core/errors.js';
import { findActiveKey, touchKey } from '../../../core/keys/find-key.js';
import type { Principal } from '../../../core/principal.js';
import type { Tier } from '../../../db/schema/index.js';
import { AUTH_MESSAGES, header, requireTokenUser } from '../../auth.js';

export type EndUserPrincipal = Extract<Principal, { kind: 'end_user' }> & { ownerId: string; tier: Tier };

/**
 * Interim end-user credential of the devkit face until the `endUser` route config lands:
 * the bearer of an end user, `X-User-Role: end_user`, and `X-Project-ID`, `X-API-Key` and
 * `X-Developer-Key` all of that user's project (the project key of it, the owner's developer key).
 */
export async function requireEndUser(ctx: Context, request: FastifyRequest): Promise<EndUserPrincipal> {
  const user = await requireTokenUser(ctx, request);
  const role = header(request, 'x-user-role');
  if (!role) throw Forbidden('role_required', AUTH_MESSAGES.roleRequired);
  if (role !== 'end_user' || user.role !== 'end_user' || !user.projectId) throw Forbidden('end_user_required', AUTH_MESSAGES.insufficient);
  if (header(request, 'x-project-id') !== user.projectId) throw Forbidden('project_mismatch', 'X-Project-ID does not match the user\'s project');
  const projectKey = await findActiveKey(ctx, header(request, 'x-api-key') ?? '');
  if (!projectKey || projectKey.kind !== 'project' || projectKey.projectId !== user.projectId) throw Forbidden('bad_api_key', 'Invalid or revoked API key');
  const developerKey = await findActiveKey(ctx, header(request, 'x-developer-key') ?? '');
  if (!developerKey || developerKey.kind !== 'developer' || developerKey.userId !== projectKey.userId) throw Forbidden('bad_developer_key', AUTH_MESSAGES.badDeveloperKey);
  touchKey(ctx, projectKey.id);
  return { kind: 'end_user', userId: user.id, projectId: user.projectId, ownerId: projectKey.userId, tier: projectKey.tier };
}
