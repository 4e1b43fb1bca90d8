import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { createVerification, sendVerificationMail } from './email-verification.js';

/** The same answer whether or not the account exists or is already verified. */
export const VERIFICATION_REQUESTED =
  'If the account exists and is not yet verified, a verification email has been sent.';

/**
 * Sends a fresh verification token to an account whose email is not yet verified. Nothing
 * about the account is returned: the caller learns the same thing in every case.
 */
export async function requestVerification(
  ctx: Pick<Context, 'db' | 'clock' | 'mailer' | 'log'>,
  userId: string,
): Promise<void> {
  if (!isUuid(userId)) return;
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'email', 'email_verified_at', 'password_hash'])
    .where('id', '=', userId.toLowerCase())
    .executeTakeFirst();
  // Operators sign in with keys, not passwords: there is nothing for them to activate.
  if (!user || user.email_verified_at || !user.password_hash) return;
  const token = await createVerification(ctx, user.id);
  await sendVerificationMail(ctx, user, token);
}
