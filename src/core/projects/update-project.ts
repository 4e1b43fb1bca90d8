import type { Updateable } from 'kysely';
import type { Context } from '../../context.js';
import type { ProjectsTable } from '../../db/schema/projects.js';
import { sealSecret } from '../../lib/crypto.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { Conflict, Forbidden } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { projectData } from '../events/event-data.js';
import { recordEvent } from '../events/record-event.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import type { Principal } from '../principal.js';
import { getProject } from './get-project.js';
import { assertWebhookEndpoint } from '../webhooks/webhook-endpoint.js';
import { checkProjectInput, type ProjectInput } from './project-input.js';
import { toProject, type Project } from './project.js';

/** Partial update of the fields given; name stays unique per owner, slug globally. */
export async function updateProject(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'runtime'>,
  principal: Principal,
  projectId: string,
  input: ProjectInput,
): Promise<Project> {
  if (principal.kind === 'end_user') throw Forbidden('insufficient', 'Insufficient permissions');
  checkProjectInput(input, false);
  const before = await getProject(ctx, principal, projectId);
  const set: Updateable<ProjectsTable> = { updated_at: ctx.clock.now() };
  if (input.name !== undefined) set.name = input.name.trim();
  if (input.slug !== undefined && input.slug !== null) set.slug = input.slug;
  if (input.description !== undefined) set.description = input.description;
  if (input.defaultRedirectUrl !== undefined) set.default_redirect_url = input.defaultRedirectUrl;
  if (input.webhookUrl !== undefined) {
    await assertWebhookEndpoint(ctx, input.webhookUrl);
    // Setting the URL (again) re-enables an endpoint disabled for failing.
    Object.assign(set, { webhook_url: input.webhookUrl, webhook_disabled_at: null, webhook_failing_since: null });
  }
  if (input.logoUrl !== undefined) set.logo_url = input.logoUrl;
  if (input.webhookSecret !== undefined)
    set.webhook_secret_enc = input.webhookSecret ? sealSecret(ctx.keys.seal, input.webhookSecret) : null;
  if (input.meta !== undefined) set.meta = input.meta === null ? null : JSON.stringify(input.meta);
  if (input.hasPaid !== undefined) set.has_paid = input.hasPaid;
  if (input.isActive !== undefined) set.is_active = input.isActive;
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      // An endpoint disabled for failing that this update re-enables (by setting the URL again).
      const reenabled =
        input.webhookUrl &&
        (await trx
          .selectFrom('projects')
          .select('id')
          .where('id', '=', before.id)
          .where('webhook_disabled_at', 'is not', null)
          .executeTakeFirst()) !== undefined;
      const row = await trx
        .updateTable('projects')
        .set(set)
        .where('id', '=', before.id)
        .where('owner_id', '=', before.ownerId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = toProject(row);
      await noteRuntimeChange(trx, ctx, { projectId: after.id, licenseId: null });
      const fields = Object.keys(set)
        .filter((k) => k !== 'updated_at' && k !== 'webhook_disabled_at' && k !== 'webhook_failing_since')
        .map((k) => (k === 'webhook_secret_enc' ? 'webhook_secret' : k));
      await recordEvent(trx, ctx, {
        ownerId: after.ownerId,
        projectId: after.id,
        type: 'project.updated',
        data: projectData(after),
      });
      if (after.hasPaid !== before.hasPaid) {
        await recordEvent(trx, ctx, {
          ownerId: after.ownerId,
          projectId: after.id,
          type: after.hasPaid ? 'project.paid' : 'project.unpaid',
          data: projectData(after),
        });
      }
      await recordAudit(trx, ctx, principal, {
        action: 'project.updated',
        targetType: 'project',
        targetId: after.id,
        projectId: after.id,
        ownerId: after.ownerId,
        changedFields: fields,
      });
      if (reenabled) {
        await recordAudit(trx, ctx, principal, {
          action: 'webhook.enabled',
          targetType: 'webhook',
          targetId: after.id,
          projectId: after.id,
          ownerId: after.ownerId,
          changedFields: ['webhook_disabled_at'],
        });
      }
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'slug'))
      throw Conflict('slug', 'project_slug_taken', 'The slug has already been taken.');
    if (isUniqueViolation(err, 'name'))
      throw Conflict('name', 'project_name_taken', 'A project with this name already exists.');
    throw err;
  }
}
