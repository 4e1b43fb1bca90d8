import { randomBytes } from 'node:crypto';
import type { TokenPair } from '../accounts/issue-tokens.js';
import { sealSecret, sha256Hex } from '../../lib/crypto.js';
import { uuidv7 } from '../../lib/ids.js';
import type { SessionCtx } from './session.js';

/**
 * Starts a session: a fresh 256-bit token for the cookie (returned, never stored), the row
 * keyed by its hash, the account's tokens sealed with the server key.
 */
export async function startSession(
  ctx: SessionCtx,
  input: {
    userId: string;
    kind: 'developer' | 'operator';
    tokens: TokenPair | null;
    userAgent: string | null;
    ip: string | null;
  },
): Promise<{ token: string; id: string; maxAgeSeconds: number }> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const id = uuidv7(now.getTime());
  await ctx.db
    .insertInto('console_sessions')
    .values({
      id,
      token_hash: sha256Hex(token),
      user_id: input.userId,
      kind: input.kind,
      access_token_enc: input.tokens ? sealSecret(ctx.keys.seal, input.tokens.accessToken) : null,
      refresh_token_enc: input.tokens ? sealSecret(ctx.keys.seal, input.tokens.refreshToken) : null,
      user_agent: input.userAgent?.slice(0, 255) ?? null,
      ip: input.ip?.slice(0, 64) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ctx.config.console.absoluteSeconds * 1000),
    })
    .execute();
  return { token, id, maxAgeSeconds: ctx.config.console.absoluteSeconds };
}
