import type { Context } from '../../context.js';
import { sha256Hex } from '../../lib/crypto.js';
import { recordAudit } from '../audit/record-audit.js';
import { BadRequest } from '../errors.js';
import type { Origin } from '../principal.js';
import { inTransaction } from './join-transaction.js';

export const BAD_VERIFICATION_TOKEN = 'Invalid or expired verification token';

/**
 * Spends a verification token (single use, by a conditional UPDATE) and activates the
 * account. Unknown, expired, spent, or another user's token all answer alike. `userId` is
 * checked when the client sends it (openapi.json's form of the request). The account holder,
 * proven by the token, is the actor of the `<role>.email_verified` audit entry, written in
 * the same transaction with the request's `origin`.
 */
export async function verifyEmail(
  ctx: Pick<Context, 'db' | 'clock'>,
  input: { token: string; userId: string | null; origin?: Origin },
): Promise<{ email: string }> {
  const now = ctx.clock.now();
  const email = await inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .selectFrom('email_verifications as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .leftJoin('projects as p', 'p.id', 'u.project_id')
      .select(['v.id', 'v.user_id', 'v.expires_at', 'u.email', 'u.role', 'u.project_id', 'p.owner_id'])
      .where('v.token_hash', '=', sha256Hex(input.token))
      .where('v.used_at', 'is', null)
      .executeTakeFirst();
    if (!row || new Date(row.expires_at) <= now) return null;
    if (input.userId && input.userId.toLowerCase() !== row.user_id) return null;
    const spent = await tx.db
      .updateTable('email_verifications')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) return null;
    const verified = await tx.db
      .updateTable('users')
      .set({ is_active: true, email_verified_at: now, updated_at: now })
      .where('id', '=', row.user_id)
      .where('email_verified_at', 'is', null)
      .executeTakeFirst();
    if (Number(verified.numUpdatedRows) === 1) {
      const role = row.role === 'end_user' ? 'end_user' : 'developer';
      await recordAudit(
        tx.db,
        ctx,
        { kind: 'self', role, userId: row.user_id, ...(input.origin ? { origin: input.origin } : {}) },
        {
          action: `${role}.email_verified`,
          targetType: role,
          targetId: row.user_id,
          projectId: role === 'end_user' ? row.project_id : null,
          // An end user's entry is in their project's developer's log; a developer's in their own.
          ownerId: role === 'end_user' ? row.owner_id : row.user_id,
          changedFields: ['email_verified_at', 'is_active'],
        },
      );
    }
    return row.email;
  });
  if (email === null) throw BadRequest('bad_verification_token', BAD_VERIFICATION_TOKEN);
  return { email };
}
