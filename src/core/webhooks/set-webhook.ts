import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import type { Project } from '../projects/project.js';
import { updateProject } from '../projects/update-project.js';

/**
 * Sets (or with nulls clears) the project's webhook URL and secret: the devkit face's way to
 * the two fields devpayr projects carry. An update like any other (event, audit entry), and
 * setting the URL re-enables an endpoint disabled for failing.
 */
export async function setWebhook(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'runtime'>,
  principal: Principal,
  projectId: string,
  input: { url: string | null; secret?: string | null },
): Promise<Project> {
  return updateProject(ctx, principal, projectId, {
    webhookUrl: input.url,
    ...(input.secret !== undefined ? { webhookSecret: input.secret } : {}),
  });
}
