import type { Context } from '../../context.js';
import { randomString, sealSecret, sha256Hex } from '../../lib/crypto.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { Conflict } from '../errors.js';
import { injectableData } from '../events/event-data.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { slugify } from '../projects/project-input.js';
import { toInjectable, type Injectable } from './injectable.js';
import { checkInjectableInput, SLUG_TAKEN, type InjectableInput } from './injectable-input.js';
import { recordChange } from '../events/record-change.js';

/**
 * Stores an injectable: content and secret sealed at rest, the content's SHA-256 kept in the
 * clear for delivery. A generated slug that another writer takes first is drawn again; a
 * given slug that is taken is a 422.
 */
export async function createInjectable(
  ctx: Pick<Context, 'db' | 'clock' | 'keys'>,
  principal: Principal,
  projectId: string,
  input: InjectableInput,
): Promise<Injectable> {
  const project = await projectInScope(ctx, principal, projectId);
  checkInjectableInput(input, true);
  const content = input.file ?? Buffer.from(input.content!, 'utf8');
  const now = ctx.clock.now();
  const explicitSlug = input.slug ?? null;
  const base = slugify(input.title?.trim() || input.type!).replace(/^project$/, 'injectable');

  for (let attempt = 0; ; attempt++) {
    const slug =
      explicitSlug ?? (attempt === 0 ? base : `${base}-${randomString(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`);
    try {
      return await ctx.db.transaction().execute(async (trx) => {
        const taken = await trx
          .selectFrom('injectables')
          .select('id')
          .where('project_id', '=', project.id)
          .where('slug', '=', slug)
          .executeTakeFirst();
        if (taken) {
          if (explicitSlug) throw Conflict('slug', 'injectable_slug_taken', SLUG_TAKEN);
          throw new SlugCollision();
        }
        const row = await trx
          .insertInto('injectables')
          .values({
            id: uuidv7(now.getTime()),
            project_id: project.id,
            title: input.title?.trim() || null,
            slug,
            type: input.type!,
            mode: input.mode!,
            target_path: input.targetPath ?? null,
            content_enc: sealSecret(ctx.keys.seal, content),
            content_hash: sha256Hex(content),
            secret_enc: sealSecret(ctx.keys.seal, input.secret!),
            only_if_paid: input.onlyIfPaid ?? false,
            is_active: input.isActive ?? true,
            created_at: now,
            updated_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const created = toInjectable(row);
        await recordChange(trx, ctx, principal, {
          type: 'injectable.created',
          project,
          target: { type: 'injectable', id: row.id },
          data: injectableData(created),
          changedFields: injectableFields(input),
        });
        return created;
      });
    } catch (err) {
      const race = err instanceof SlugCollision || (!explicitSlug && isUniqueViolation(err, 'slug'));
      if (race && attempt < 5) continue;
      if (isUniqueViolation(err, 'slug')) throw Conflict('slug', 'injectable_slug_taken', SLUG_TAKEN);
      throw err;
    }
  }
}

class SlugCollision extends Error {}

/** The names of the fields given (`file` as `content`); values never reach the audit log. */
export function injectableFields(input: InjectableInput): string[] {
  const names = Object.keys(input)
    .filter((k) => (input as Record<string, unknown>)[k] !== undefined)
    .map((k) => (k === 'file' ? 'content' : k));
  return [...new Set(names)];
}
