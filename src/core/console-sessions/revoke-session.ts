import { openSecret } from '../../lib/crypto.js';
import { NotFound } from '../errors.js';
import type { ConsoleSession, SessionCtx } from './session.js';

/**
 * Ends one of the account's sessions (a foreign or unknown id is 404). The refresh token the
 * session held is revoked with it, so nothing issued at that sign-in outlives it.
 */
export async function revokeSession(
  ctx: SessionCtx,
  session: Pick<ConsoleSession, 'userId'>,
  sessionId: string,
): Promise<void> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('console_sessions')
    .select(['id', 'refresh_token_enc'])
    .where('id', '=', sessionId)
    .where('user_id', '=', session.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw NotFound('session');
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('console_sessions')
      .set({ revoked_at: now, access_token_enc: null, refresh_token_enc: null })
      .where('id', '=', row.id)
      .execute();
    const jti = row.refresh_token_enc
      ? refreshJti(openSecret(ctx.keys.seal, row.refresh_token_enc).toString('utf8'))
      : null;
    if (jti) {
      const family = await trx
        .selectFrom('refresh_tokens')
        .select('family_id')
        .where('id', '=', jti)
        .executeTakeFirst();
      if (family)
        await trx
          .updateTable('refresh_tokens')
          .set({ revoked_at: now })
          .where('family_id', '=', family.family_id)
          .where('revoked_at', 'is', null)
          .execute();
    }
  });
}

/** The jti claim of a refresh token we issued (read without verifying: it came from our own sealed column). */
function refreshJti(token: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      jti?: unknown;
    };
    return typeof payload.jti === 'string' ? payload.jti : null;
  } catch {
    return null;
  }
}
