import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { signToken } from './access-tokens.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

type TokenCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config'>;

/**
 * An access token and a single-use refresh token (a row in refresh_tokens, named by the JWT's
 * jti). The access token carries the account's sign-in generation, read here (in the caller's
 * transaction, after a password change has moved it).
 */
export async function issueTokens(ctx: TokenCtx, user: { id: string; projectId: string | null }, familyId = uuidv7()): Promise<TokenPair> {
  const now = ctx.clock.now();
  const jti = uuidv7(now.getTime());
  const { sign_in_generation: gen } = await ctx.db.selectFrom('users').select('sign_in_generation').where('id', '=', user.id).executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('refresh_tokens')
    .values({ id: jti, user_id: user.id, family_id: familyId, expires_at: new Date(now.getTime() + ctx.config.refreshTokenTtlSeconds * 1000), created_at: now })
    .execute();
  const project_id = user.projectId ?? undefined;
  return {
    accessToken: await signToken(ctx, { sub: user.id, type: 'access', project_id, gen: Number(gen) }, ctx.config.accessTokenTtlSeconds),
    refreshToken: await signToken(ctx, { sub: user.id, type: 'refresh', project_id, jti }, ctx.config.refreshTokenTtlSeconds),
  };
}
