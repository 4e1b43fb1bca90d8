import type { Context } from '../../context.js';
import { randomString, sha256Hex } from '../../lib/crypto.js';
import { isUuid, uuidv7 } from '../../lib/ids.js';
import { BadRequest } from '../errors.js';

const TTL_MS = 24 * 3600 * 1000;

/**
 * Sends a fresh verification token to an inactive, unverified account (stored only as its
 * SHA-256, valid 24 h, single use). Unknown or already active accounts are a silent no-op,
 * so the answer does not tell whether an account exists.
 */
export async function sendVerification(ctx: Pick<Context, 'db' | 'clock' | 'mailer' | 'log'>, userId: string): Promise<void> {
  if (!isUuid(userId)) return;
  const user = await ctx.db.selectFrom('users').select(['id', 'email', 'is_active', 'email_verified_at']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.is_active || user.email_verified_at) return;
  const token = randomString(40);
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('email_verifications')
    .values({ id: uuidv7(now.getTime()), user_id: user.id, token_hash: sha256Hex(token), expires_at: new Date(now.getTime() + TTL_MS), created_at: now })
    .execute();
  await ctx.mailer.send({
    to: user.email,
    subject: 'Verify your email address',
    text: `Your verification code: ${token}\nuser_id: ${user.id}\nPOST /api/v1/auth/verify-email with {"user_id": "${user.id}", "verification_token": "${token}"}. It expires in 24 hours.`,
  });
}

/** Spends a verification token (conditional update: once only) and activates the account. */
export async function verifyEmail(ctx: Pick<Context, 'db' | 'clock'>, input: { userId: string; token: string }): Promise<void> {
  const refused = BadRequest('bad_verification_token', 'Invalid or expired verification token');
  if (!isUuid(input.userId)) throw refused;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('email_verifications')
      .set({ used_at: now })
      .where('user_id', '=', input.userId)
      .where('token_hash', '=', sha256Hex(input.token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw refused;
    await trx.updateTable('users').set({ is_active: true, email_verified_at: now, updated_at: now }).where('id', '=', input.userId).execute();
  });
}
