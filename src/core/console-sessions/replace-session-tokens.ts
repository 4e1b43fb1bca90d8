import type { TokenPair } from '../accounts/issue-tokens.js';
import { sealSecret } from '../../lib/crypto.js';
import type { SessionCtx } from './session.js';

/** Seals a new token pair into a session (after a password change revoked the ones it held). */
export async function replaceSessionTokens(ctx: SessionCtx, sessionId: string, tokens: TokenPair): Promise<void> {
  await ctx.db
    .updateTable('console_sessions')
    .set({
      access_token_enc: sealSecret(ctx.keys.seal, tokens.accessToken),
      refresh_token_enc: sealSecret(ctx.keys.seal, tokens.refreshToken),
    })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}
