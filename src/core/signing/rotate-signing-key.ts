import type { Context } from '../../context.js';
import { recordChange } from '../events/record-change.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { newKeyPair } from './key-pair.js';
import { ensureActiveKey, publishedKeys, type PublishedKey } from './project-keys.js';

type Ctx = Pick<Context, 'db' | 'dialect' | 'clock' | 'keys' | 'signingKeys'>;

export const DEFAULT_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * A new active key for the project; the previous one becomes `retiring`: still published and
 * still verifying until `retires_at` (now + grace days), then gone. The swap, its event
 * (`signing_key.rotated`, webhooks and audit) commit together; the project row is locked on
 * PostgreSQL so that concurrent rotations take turns (SQLite's write lock does the same).
 */
export async function rotateSigningKey(
  ctx: Ctx,
  principal: Principal,
  projectId: string,
  graceDays = DEFAULT_GRACE_DAYS,
): Promise<PublishedKey[]> {
  const project = await projectInScope(ctx, principal, projectId);
  await ensureActiveKey(ctx, project.id);
  const now = ctx.clock.now();
  const retiresAt = new Date(now.getTime() + graceDays * DAY_MS);
  const pair = newKeyPair(ctx.keys.seal);
  await ctx.db.transaction().execute(async (trx) => {
    if (ctx.dialect === 'postgres')
      await trx.selectFrom('projects').select('id').where('id', '=', project.id).forUpdate().execute();
    const previous = await trx
      .updateTable('signing_keys')
      .set({ status: 'retiring', retires_at: retiresAt })
      .where('project_id', '=', project.id)
      .where('status', '=', 'active')
      .returning('kid')
      .executeTakeFirst();
    await trx
      .insertInto('signing_keys')
      .values({
        kid: pair.kid,
        project_id: project.id,
        status: 'active',
        public_key: pair.publicPem,
        private_key_enc: pair.privateSealed,
        created_at: now,
        retires_at: null,
      })
      .execute();
    await recordChange(trx, ctx, principal, {
      type: 'signing_key.rotated',
      project,
      target: { type: 'signing_key', id: pair.kid },
      data: {
        project_id: project.id,
        kid: pair.kid,
        previous_kid: previous?.kid ?? null,
        previous_retires_at: previous ? retiresAt.toISOString() : null,
      },
      changedFields: ['status'],
    });
  });
  ctx.signingKeys.forget(project.id);
  return publishedKeys(ctx, project.id);
}
