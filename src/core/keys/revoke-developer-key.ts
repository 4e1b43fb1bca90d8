import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { DomainError, Forbidden } from '../errors.js';
import type { Developer } from './key-record.js';
import { revokeKey } from './revoke-key.js';

const notFound = () => new DomainError('not_found', 'developer_key_not_found', 'Developer key not found');

/**
 * Revokes one of the caller's developer keys, never the one this request authenticated with.
 * Another developer's key id answers like an unknown one (404). The conditional UPDATE makes
 * a concurrent second revoke see "already revoked".
 */
export async function revokeDeveloperKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  keyId: string,
): Promise<void> {
  if (!isUuid(keyId)) throw notFound();
  const row = await ctx.db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', keyId.toLowerCase())
    .where('user_id', '=', principal.userId)
    .where('kind', '=', 'developer')
    .executeTakeFirst();
  if (!row) throw notFound();
  if (principal.keyId === row.id) {
    throw Forbidden('developer_key_in_use', 'Cannot revoke the developer key currently being used for authentication');
  }
  await revokeKey(
    ctx,
    principal,
    row.id,
    { code: 'developer_key_inactive', message: 'Developer key is already revoked or inactive' },
    { action: 'developer_key.revoked', targetType: 'developer_key', projectId: null },
  );
}
