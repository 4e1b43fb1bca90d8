import type { Context } from '../../context.js';
import { Unauthenticated } from '../errors.js';
import { verifyToken } from './access-tokens.js';
import { issueTokens, type TokenPair } from './issue-tokens.js';
import { inTransaction } from './join-transaction.js';

const REFUSED = 'Could not validate credentials';

type Outcome = { refused: 'bad_refresh_token' | 'refresh_token_reused' } | { tokens: TokenPair };

/**
 * Rotates a refresh token. The token is spent by a conditional UPDATE (... WHERE used_at IS
 * NULL), so of two concurrent uses exactly one wins; the winner gets a new pair in the same
 * family, in the same transaction. A spent token presented again means it leaked: the whole
 * family is revoked (committed before the refusal), so the thief's fresh token dies too.
 */
export async function refreshSession(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config'>,
  refreshToken: string,
): Promise<TokenPair> {
  const claims = await verifyToken(ctx, refreshToken, 'refresh');
  if (!claims?.jti) throw Unauthenticated('bad_refresh_token', REFUSED);
  const { jti, sub } = claims;
  const now = ctx.clock.now();
  const outcome = await inTransaction(ctx, async (tx): Promise<Outcome> => {
    const row = await tx.db
      .selectFrom('refresh_tokens')
      .select(['id', 'family_id', 'user_id', 'revoked_at'])
      .where('id', '=', jti)
      .where('user_id', '=', sub)
      .executeTakeFirst();
    if (!row || row.revoked_at) return { refused: 'bad_refresh_token' };
    const spent = await tx.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) {
      await tx.db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('family_id', '=', row.family_id)
        .where('revoked_at', 'is', null)
        .execute();
      return { refused: 'refresh_token_reused' };
    }
    const user = await tx.db
      .selectFrom('users')
      .select(['id', 'project_id', 'is_active', 'sign_in_generation'])
      .where('id', '=', row.user_id)
      .executeTakeFirst();
    if (!user?.is_active) return { refused: 'bad_refresh_token' };
    return {
      tokens: await issueTokens(
        tx,
        { id: user.id, projectId: user.project_id, signInGeneration: Number(user.sign_in_generation) },
        row.family_id,
      ),
    };
  });
  if ('refused' in outcome) throw Unauthenticated(outcome.refused, REFUSED);
  return outcome.tokens;
}
