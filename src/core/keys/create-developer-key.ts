import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { uuidv7 } from '../../lib/ids.js';
import { lockAccount } from '../accounts/lock-account.js';
import { LimitReached } from '../errors.js';
import { MAX_ACTIVE_DEVELOPER_KEYS } from '../plans/tiers.js';
import { toKeyRecord, type CreatedKey, type Developer } from './key-record.js';
import { API_KEY_PREFIX, newSecretKey } from './secret-key.js';

export const DEVELOPER_KEY_LIMIT_MESSAGE = `Maximum number of developer keys (${MAX_ACTIVE_DEVELOPER_KEYS}) reached. Please revoke unused keys.`;

/**
 * A new developer key (`ak_` + 32 URL-safe characters), returned in full once. The active-key
 * count and the insert share a transaction under the account lock, so parallel creates
 * cannot pass the limit.
 */
export async function createDeveloperKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  name: string | null,
): Promise<CreatedKey> {
  const secret = newSecretKey(API_KEY_PREFIX);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, principal.userId);
    const { n } = await trx
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', principal.userId)
      .where('kind', '=', 'developer')
      .where('is_active', '=', true)
      .executeTakeFirstOrThrow();
    if (Number(n) >= MAX_ACTIVE_DEVELOPER_KEYS) throw LimitReached('developer_key_limit', DEVELOPER_KEY_LIMIT_MESSAGE);
    const row = await trx
      .insertInto('api_keys')
      .values({
        id: uuidv7(now.getTime()),
        kind: 'developer',
        user_id: principal.userId,
        project_id: null,
        name,
        key_hash: secret.hash,
        key_prefix: secret.prefix,
        is_active: true,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx, principal, {
      action: 'developer_key.created',
      targetType: 'developer_key',
      targetId: row.id,
      projectId: null,
      ownerId: principal.userId,
      changedFields: name ? ['name'] : [],
    });
    return { ...toKeyRecord(row), key: secret.key };
  });
}
