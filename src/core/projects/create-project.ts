import type { Context } from '../../context.js';
import { openSecret, sealSecret } from '../../lib/crypto.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { randomString } from '../../lib/crypto.js';
import { lockAccount } from '../accounts/lock-account.js';
import { Conflict, Forbidden, LimitReached } from '../errors.js';
import { projectData } from '../events/event-data.js';
import { TIERS } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { checkProjectInput, slugify, type ProjectInput } from './project-input.js';
import { toProject, type Project } from './project.js';
import { assertWebhookEndpoint } from '../webhooks/webhook-endpoint.js';
import { givenFields, recordChange } from '../events/record-change.js';

export const PROJECT_LIMIT_MESSAGE =
  'Maximum number of projects reached for your subscription tier. Upgrade to create more projects.';

type CreateCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config'>;

/** Only a developer (token or global key) creates projects; project-scoped keys may not. */
export function assertMayCreateProject(
  principal: Principal,
): asserts principal is Extract<Principal, { kind: 'developer' }> {
  if (principal.kind !== 'developer') {
    throw Forbidden('project_scoped_key', 'A project-scoped key cannot create projects; use a global API key.');
  }
}

/** Throws LimitReached when the developer is already at the tier's project limit (checked again, under lock, on insert). */
export async function assertProjectQuota(ctx: CreateCtx, principal: Principal): Promise<void> {
  assertMayCreateProject(principal);
  const max = TIERS[principal.tier].maxProjects;
  if (max === null) return;
  const { n } = await ctx.db
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner_id', '=', principal.userId)
    .executeTakeFirstOrThrow();
  if (Number(n) >= max) throw LimitReached('project_limit', PROJECT_LIMIT_MESSAGE);
}

/**
 * Creates a project for the calling developer. The tier limit and the unique name/slug
 * rules hold under concurrency: the count and the insert share one transaction that
 * holds the account lock.
 */
export async function createProject(ctx: CreateCtx, principal: Principal, input: ProjectInput): Promise<Project> {
  assertMayCreateProject(principal);
  checkProjectInput(input, true);
  if (input.webhookUrl) await assertWebhookEndpoint(ctx, input.webhookUrl);
  const name = input.name!.trim();
  const now = ctx.clock.now();
  const explicitSlug = input.slug ?? null;

  for (let attempt = 0; ; attempt++) {
    const slug =
      explicitSlug ??
      (attempt === 0 ? slugify(name) : `${slugify(name)}-${randomString(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`);
    try {
      return await ctx.db.transaction().execute(async (trx) => {
        await lockAccount(trx, principal.userId);
        const max = TIERS[principal.tier].maxProjects;
        if (max !== null) {
          const { n } = await trx
            .selectFrom('projects')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('owner_id', '=', principal.userId)
            .executeTakeFirstOrThrow();
          if (Number(n) >= max) throw LimitReached('project_limit', PROJECT_LIMIT_MESSAGE);
        }
        const sameName = await trx
          .selectFrom('projects')
          .select('id')
          .where('owner_id', '=', principal.userId)
          .where('name', '=', name)
          .executeTakeFirst();
        if (sameName) throw Conflict('name', 'project_name_taken', 'A project with this name already exists.');
        const slugTaken = await trx.selectFrom('projects').select('id').where('slug', '=', slug).executeTakeFirst();
        if (slugTaken) {
          if (explicitSlug) throw Conflict('slug', 'project_slug_taken', 'The slug has already been taken.');
          throw new SlugCollision();
        }
        const row = await trx
          .insertInto('projects')
          .values({
            id: uuidv7(now.getTime()),
            owner_id: principal.userId,
            name,
            slug,
            description: input.description ?? null,
            default_redirect_url: input.defaultRedirectUrl ?? null,
            webhook_url: input.webhookUrl ?? null,
            logo_url: input.logoUrl ?? null,
            webhook_secret_enc: input.webhookSecret ? sealSecret(ctx.keys.seal, input.webhookSecret) : null,
            meta: input.meta ? JSON.stringify(input.meta) : null,
            is_active: true,
            has_paid: input.hasPaid ?? false,
            created_at: now,
            updated_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordChange(trx, ctx, principal, {
          type: 'project.created',
          project: { id: row.id, ownerId: principal.userId },
          target: { type: 'project', id: row.id },
          data: projectData(toProject(row)),
          changedFields: givenFields(input),
        });
        return toProject(row);
      });
    } catch (err) {
      // Another writer took the generated slug between our check and insert: draw another.
      const slugRace = err instanceof SlugCollision || (!explicitSlug && isUniqueViolation(err, 'slug'));
      if (slugRace && attempt < 5) continue;
      if (isUniqueViolation(err, 'slug'))
        throw Conflict('slug', 'project_slug_taken', 'The slug has already been taken.');
      if (isUniqueViolation(err, 'name'))
        throw Conflict('name', 'project_name_taken', 'A project with this name already exists.');
      throw err;
    }
  }
}

class SlugCollision extends Error {}

/** The webhook secret in the clear, for the code that signs webhook deliveries; never for a response. */
export function revealWebhookSecret(ctx: Pick<Context, 'keys'>, sealed: string): string {
  return openSecret(ctx.keys.seal, sealed).toString('utf8');
}
