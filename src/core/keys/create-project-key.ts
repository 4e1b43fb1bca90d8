import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { uuidv7 } from '../../lib/ids.js';
import { lockAccount } from '../accounts/lock-account.js';
import { LimitReached } from '../errors.js';
import { TIERS } from '../plans/tiers.js';
import { getProject } from '../projects/get-project.js';
import { toKeyRecord, type CreatedKey, type Developer } from './key-record.js';
import { API_KEY_PREFIX, newSecretKey } from './secret-key.js';

export function apiKeyLimitMessage(max: number): string {
  return `Maximum number of API keys (${max}) reached for this project on your subscription tier. Revoke unused keys or upgrade.`;
}

/**
 * A new API key for one of the developer's projects (a foreign or unknown project is 404),
 * returned in full once. The tier's limit counts the project's active keys, under the
 * account lock in the same transaction as the insert.
 */
export async function createProjectKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  projectId: string,
  name: string | null,
): Promise<CreatedKey> {
  const project = await getProject(ctx, principal, projectId);
  const max = TIERS[principal.tier].maxApiKeysPerProject;
  const secret = newSecretKey(API_KEY_PREFIX);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, principal.userId);
    if (max !== null) {
      const { n } = await trx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', principal.userId)
        .where('project_id', '=', project.id)
        .where('kind', '=', 'project')
        .where('is_active', '=', true)
        .executeTakeFirstOrThrow();
      if (Number(n) >= max) throw LimitReached('api_key_limit', apiKeyLimitMessage(max));
    }
    const row = await trx
      .insertInto('api_keys')
      .values({
        id: uuidv7(now.getTime()),
        kind: 'project',
        user_id: principal.userId,
        project_id: project.id,
        name,
        key_hash: secret.hash,
        key_prefix: secret.prefix,
        is_active: true,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx, principal, {
      action: 'project_key.created',
      targetType: 'project_key',
      targetId: row.id,
      projectId: project.id,
      ownerId: project.ownerId,
      changedFields: name ? ['name'] : [],
    });
    return { ...toKeyRecord(row), key: secret.key };
  });
}
