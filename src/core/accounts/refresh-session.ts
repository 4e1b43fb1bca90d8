import type { Context } from '../../context.js';
import { Unauthenticated } from '../errors.js';
import { verifyToken } from './access-tokens.js';
import { issueTokens, type TokenPair } from './issue-tokens.js';

const REFUSED = 'Could not validate credentials';

/**
 * Rotates a refresh token: it is spent by a conditional UPDATE (so of two concurrent uses
 * exactly one wins) and a new pair is issued in the same family. A spent token presented
 * again means it leaked: the whole family is revoked.
 */
export async function refreshSession(ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config'>, refreshToken: string): Promise<TokenPair> {
  const claims = await verifyToken(ctx, refreshToken, 'refresh');
  if (!claims?.jti) throw Unauthenticated('bad_refresh_token', REFUSED);
  const now = ctx.clock.now();
  const row = await ctx.db.selectFrom('refresh_tokens').select(['id', 'family_id', 'user_id', 'revoked_at']).where('id', '=', claims.jti).executeTakeFirst();
  if (!row || row.user_id !== claims.sub || row.revoked_at) throw Unauthenticated('bad_refresh_token', REFUSED);
  const spent = await ctx.db
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) {
    await ctx.db.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', row.family_id).where('revoked_at', 'is', null).execute();
    throw Unauthenticated('refresh_token_reused', REFUSED);
  }
  const user = await ctx.db.selectFrom('users').select(['id', 'project_id', 'is_active']).where('id', '=', row.user_id).executeTakeFirst();
  if (!user || !user.is_active) throw Unauthenticated('bad_refresh_token', REFUSED);
  return issueTokens(ctx, { id: user.id, projectId: user.project_id }, row.family_id);
}
