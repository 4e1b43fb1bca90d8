import type { Context } from '../../context.js';
import { randomString, sha256Hex } from '../../lib/crypto.js';
import { uuidv7 } from '../../lib/ids.js';

export const VERIFICATION_TTL_MS = 24 * 3600 * 1000;

/**
 * Stores a single-use verification token (only its SHA-256, valid 24 hours) and returns it in
 * the clear for the mail. Takes the caller's db so it joins a registration's transaction.
 */
export async function createVerification(ctx: Pick<Context, 'db' | 'clock'>, userId: string): Promise<string> {
  const token = randomString(43);
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('email_verifications')
    .values({
      id: uuidv7(now.getTime()),
      user_id: userId,
      token_hash: sha256Hex(token),
      expires_at: new Date(now.getTime() + VERIFICATION_TTL_MS),
      used_at: null,
      created_at: now,
    })
    .execute();
  return token;
}

/**
 * Sent after the commit. The SMTP mailer only queues (delivery and its retries run in the
 * background), so this never waits on a mail server; a failed delivery is logged, and the
 * user can ask for another mail.
 */
export async function sendVerificationMail(
  ctx: Pick<Context, 'mailer' | 'log'>,
  user: { id: string; email: string },
  token: string,
): Promise<void> {
  try {
    await ctx.mailer.send({
      to: user.email,
      subject: 'Verify your email address',
      text: [
        'Confirm your email address to activate your account.',
        '',
        `Your verification code: ${token}`,
        `user_id: ${user.id}`,
        '',
        `POST /api/v1/auth/verify-email with {"user_id": "${user.id}", "verification_token": "${token}"} (or {"token": "${token}"}).`,
        'The code expires in 24 hours and works once.',
      ].join('\n'),
    });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, userId: user.id }, 'could not send the verification mail');
  }
}
