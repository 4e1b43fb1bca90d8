import type { Context } from '../../context.js';
import { Forbidden, invalidField } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../principal.js';
import { getAccount, type Account } from './get-account.js';

/**
 * A developer changes their own profile: the name shown on their account (empty clears it).
 * The email is the sign-in name and is not changed here. Audited, names only.
 */
export async function updateProfile(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  input: { fullName: string | null },
): Promise<Account> {
  if (principal.kind !== 'developer')
    throw Forbidden('developer_required', 'Only a developer may change their profile here.');
  const fullName = input.fullName?.trim() || null;
  if (fullName !== null && fullName.length > 255)
    throw invalidField('full_name', 'The name may not be greater than 255 characters.', 'too_long');
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ full_name: fullName, updated_at: ctx.clock.now() })
      .where('id', '=', principal.userId)
      .execute();
    await recordAudit(trx, ctx, principal, {
      action: 'account.updated',
      targetType: 'user',
      targetId: principal.userId,
      projectId: null,
      ownerId: principal.userId,
      changedFields: ['full_name'],
    });
  });
  return getAccount(ctx, principal.userId);
}
