import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { publicJwk, type PublicJwk } from './key-pair.js';
import { publishedKeys, type PublishedKey } from './project-keys.js';

type Ctx = Pick<Context, 'db' | 'clock' | 'keys'>;

/** The project's keys that still verify, for its owner. */
export async function listSigningKeys(ctx: Ctx, principal: Principal, projectId: string): Promise<PublishedKey[]> {
  const project = await projectInScope(ctx, principal, projectId);
  return publishedKeys(ctx, project.id);
}

/**
 * The public JWKS of a project (no credential: verifiers fetch it). An unknown project is
 * 404; a project id is not a secret, and its keys are public by design.
 */
export async function projectJwks(ctx: Ctx, projectId: string): Promise<{ keys: PublicJwk[] }> {
  if (!isUuid(projectId)) throw NotFound('project');
  const exists = await ctx.db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!exists) throw NotFound('project');
  const keys = await publishedKeys(ctx, exists.id);
  return { keys: keys.map((k) => publicJwk(k.kid, k.publicKey)) };
}
