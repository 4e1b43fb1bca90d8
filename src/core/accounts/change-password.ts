import type { Context } from '../../context.js';
import { Forbidden, Invalid, invalidField, type FieldError } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../principal.js';
import { issueTokens, type TokenPair } from './issue-tokens.js';
import { inTransaction } from './join-transaction.js';
import { passwordProblems } from './passwords.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

export interface PasswordChanged {
  /** A fresh pair for the caller's own sign-in: every refresh token issued before the change is revoked. */
  tokens: TokenPair;
  /** How many other console sessions were ended. */
  sessionsEnded: number;
}

/**
 * A developer changes their own password, proving the current one. As a person expects after
 * a password change, every other sign-in ends with it, in the same transaction: all refresh
 * tokens of the account are revoked, every access token issued before the change is refused
 * from then on (the account's sign-in generation moves), and every console session but
 * `keepSessionId` (the one making the change) is revoked. The caller gets a fresh token pair for the sign-in it keeps. Audited, names only.
 */
export async function changePassword(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'passwords'>,
  principal: Principal,
  input: PasswordChange,
  keepSessionId: string | null = null,
): Promise<PasswordChanged> {
  if (principal.kind !== 'developer')
    throw Forbidden('developer_required', 'Only a developer account has a password to change.');
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'password_hash', 'project_id'])
    .where('id', '=', principal.userId)
    .executeTakeFirstOrThrow();
  if (!(await ctx.passwords.verify(user.password_hash, input.currentPassword))) {
    throw invalidField('current_password', 'The current password is incorrect.', 'mismatch');
  }
  const problems: FieldError[] = passwordProblems(input.newPassword).map((p) => ({ ...p, field: 'new_password' }));
  if (!problems.length && input.newPassword === input.currentPassword) {
    problems.push({
      field: 'new_password',
      message: 'The new password must be different from the current one.',
      type: 'same',
    });
  }
  if (problems.length) throw Invalid(problems);
  const hash = await ctx.passwords.hash(input.newPassword);
  const now = ctx.clock.now();
  return inTransaction(ctx, async (tx, trx) => {
    // A new sign-in generation: every access token issued before now is refused (http/auth.ts).
    const moved = await trx
      .updateTable('users')
      .set((eb) => ({ password_hash: hash, updated_at: now, sign_in_generation: eb('sign_in_generation', '+', 1) }))
      .where('id', '=', user.id)
      .returning('sign_in_generation')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    let others = trx
      .updateTable('console_sessions')
      .set({ revoked_at: now, access_token_enc: null, refresh_token_enc: null })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null);
    if (keepSessionId) others = others.where('id', '!=', keepSessionId);
    const ended = await others.executeTakeFirst();
    await recordAudit(trx, ctx, principal, {
      action: 'account.password_changed',
      targetType: 'user',
      targetId: user.id,
      projectId: null,
      ownerId: user.id,
      changedFields: ['password'],
    });
    const tokens = await issueTokens(tx, {
      id: user.id,
      projectId: user.project_id,
      signInGeneration: Number(moved.sign_in_generation),
    });
    return { tokens, sessionsEnded: Number(ended.numUpdatedRows) };
  });
}
