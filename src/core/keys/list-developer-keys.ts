import type { Context } from '../../context.js';
import { toKeyRecord, type Developer, type KeyRecord } from './key-record.js';

/** The caller's active developer keys, newest first (revoked keys drop out, as list-developer-keys.mdx says). */
export async function listDeveloperKeys(ctx: Pick<Context, 'db'>, principal: Developer): Promise<KeyRecord[]> {
  const rows = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', principal.userId)
    .where('kind', '=', 'developer')
    .where('is_active', '=', true)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toKeyRecord);
}
