import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { signToken } from './access-tokens.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

type TokenCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config'>;

/** The account tokens are issued for; `signInGeneration` is its users.sign_in_generation as the caller read it. */
export interface TokenUser {
  id: string;
  projectId: string | null;
  signInGeneration: number;
}

/**
 * An access token and a single-use refresh token (a row in refresh_tokens, named by the JWT's
 * jti). The access token carries the account's sign-in generation (http/auth.ts refuses it once
 * a password change has moved on).
 */
export async function issueTokens(ctx: TokenCtx, user: TokenUser, familyId = uuidv7()): Promise<TokenPair> {
  const now = ctx.clock.now();
  const jti = uuidv7(now.getTime());
  await ctx.db
    .insertInto('refresh_tokens')
    .values({
      id: jti,
      user_id: user.id,
      family_id: familyId,
      expires_at: new Date(now.getTime() + ctx.config.refreshTokenTtlSeconds * 1000),
      created_at: now,
    })
    .execute();
  const project_id = user.projectId ?? undefined;
  return {
    accessToken: await signToken(
      ctx,
      { sub: user.id, type: 'access', project_id, gen: user.signInGeneration },
      ctx.config.accessTokenTtlSeconds,
    ),
    refreshToken: await signToken(
      ctx,
      { sub: user.id, type: 'refresh', project_id, jti },
      ctx.config.refreshTokenTtlSeconds,
    ),
  };
}
